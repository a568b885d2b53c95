"""Topic feed aggregation and syndication.

The subpackages are the stages of one pipeline, and imports run down it only:

    content folder --ingest--> Article --state--> stored files and links
        --stories--> Story --selection--> Feed --index--> stored stories and feed entries
        --output--> bytes (render) --> published site (publish) --serve--> HTTP

`build.py` runs the stages once under the build lock; `cli.py` and `serve/` run it on
demand, on a schedule and on file changes. docs/architecture.md draws the same
pipeline with every module's name.
"""

__version__ = "0.1.0"

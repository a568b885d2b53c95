"""Writing the files generated from the config table: the commented default config and
the README's configuration reference (`python -m aggregator.config`)."""

from __future__ import annotations

from pathlib import Path

from aggregator.config import DEFAULT_CONFIG_PATH


def main(argv: list[str] | None = None) -> int:
    """`python -m aggregator.config --write-default [PATH] --write-readme [PATH]`."""
    import argparse

    from aggregator.configschema import default_yaml, with_readme_table

    parser = argparse.ArgumentParser(
        prog="python -m aggregator.config", description="Write the files generated from the config table."
    )
    parser.add_argument(
        "--write-default", nargs="?", const=str(DEFAULT_CONFIG_PATH), metavar="PATH",
        help=f"the commented default config [{DEFAULT_CONFIG_PATH}]",
    )  # fmt: skip
    parser.add_argument(
        "--write-readme", nargs="?", const="README.md", metavar="PATH",
        help="the configuration reference between its markers in the README [README.md]",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not (args.write_default or args.write_readme):
        parser.error("nothing to do: give --write-default and/or --write-readme")
    if args.write_default:
        Path(args.write_default).write_text(default_yaml(), encoding="utf-8")
    if args.write_readme:
        readme = Path(args.write_readme)
        readme.write_text(with_readme_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    return 0

"""The benchmark: a synthetic corpus, its floors, and end-to-end build timings (`make bench`)."""

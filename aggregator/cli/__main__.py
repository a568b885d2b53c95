"""`python -m aggregator.cli`: the console script."""

from aggregator.cli import run

if __name__ == "__main__":
    run()

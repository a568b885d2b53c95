"""`aggregator explain A [B]`: why an article's story holds what it holds, or why two differ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from aggregator.cli.app import EXIT_USAGE, common_options, fail, load_cli_config, main
from aggregator.report import plural


@main.command()
@common_options
@click.argument("articles", nargs=-1, required=True, metavar="A [B]")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON on stdout.")
def explain(
    config_path: Path | None,
    content: Path | None,
    output: Path | None,
    articles: tuple[str, ...],
    as_json: bool,
) -> None:
    """Why articles merged: A's story and the evidence for each member; with B, whether
    A and B share a story and, if not, the rule or guard that kept them apart.

    A and B are file paths (relative to the content folder, or absolute) or links.
    Nothing is written."""
    from aggregator.preview import explain as run_explain
    from aggregator.report import BuildError

    if len(articles) > 2:
        fail("explain takes one or two articles (a path or a link each)", EXIT_USAGE)
    config = load_cli_config(config_path, content, output)
    try:
        result = run_explain(config, list(articles))
    except BuildError as exc:
        fail(str(exc), EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    elif "members" in result:
        _print_story(result)
    else:
        _print_pair(result)


def _print_story(story: dict[str, Any]) -> None:
    click.echo(f"story {story['story']}: {story['title']}")
    click.echo(f"  {plural(len(story['members']), 'member')}; primary {story['primary']}")
    for member in story["members"]:
        mark = "*" if member["primary"] else "-"
        files = f" ({', '.join(member['files'])})" if member["files"] else " (a related entry only)"
        click.echo(f"  {mark} {member['canonical']}{files}")
        click.echo(f"      {member['title']}")
        if not member["evidence"]:
            click.echo("      evidence: none beyond its own file")
        for item in member["evidence"]:
            click.echo(f"      evidence: {describe_evidence(item, member['canonical'])}")


def describe_evidence(item: dict[str, Any], me: str) -> str:
    """One piece of evidence, from the point of view of member `me`."""
    if item["rule"] == "url":
        return f"same URL in {len(item['files'])} files: {', '.join(item['files'])}"
    other = item["to"] if item["from"] == me else item["from"]
    if item["rule"] == "related":
        if item["from"] == me:
            return f"its file {item['file']} names {other} in related"
        return f"named in related by {item['file']}"
    return f"headline match with {other}: score {item['score']:.3f}, shared words {' '.join(item['shared'])}"


def _print_pair(pair: dict[str, Any]) -> None:
    heads = pair["headlines"]
    if pair["same_story"]:
        click.echo(f"same story {pair['story_a']}")
    else:
        click.echo(f"different stories: {pair['story_a']} and {pair['story_b']}")
    click.echo(f"  A {pair['a']}: {heads['titles'][0]}")
    click.echo(f"  B {pair['b']}: {heads['titles'][1]}")
    hours = "undated" if heads["hours_apart"] is None else f"{heads['hours_apart']:g} h apart"
    click.echo(
        f"  headlines: score {heads['score']:.3f} (threshold {heads['threshold']:g}), "
        f"{plural(len(heads['shared']), 'shared word')} (minimum {heads['min_shared']}): "
        f"{' '.join(heads['shared']) or '-'}; {hours} (window {heads['window_hours']:g} h)"
    )
    if pair["same_story"]:
        _print_story(pair["story"])
        return
    setting = f" [{pair['setting']}]" if pair["setting"] else ""
    click.echo(f"  kept apart ({pair['rule'] or 'other evidence'}): {pair['explanation']}{setting}")
    guard = pair.get("guard") or {}
    if guard.get("guard") == "anchor":
        click.echo(
            f"  {guard['member']} shares {plural(len(guard['shared']), 'word')} with the anchor "
            f"{guard['anchor']} ({' '.join(guard['shared']) or '-'}); needs {guard['needed']}"
        )
    elif guard.get("guard") == "size_cap":
        click.echo(f"  the merged story would have {guard['size']} members; at most {guard['max']}")

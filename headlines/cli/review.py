"""`headlines review`: label headlines one key at a time in the terminal.

Plain click (single keys with `click.getchar`, text with `click.echo`): a one-headline-at-a-time loop needs
no screen layout, so a terminal UI library would add a dependency and nothing a reviewer would notice.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from headlines.cli.context import AppContext
from headlines.cli.options import make_query, query_options

if TYPE_CHECKING:
    from classifier.tagger import Tagger
    from headlines.review import ReviewSession

KEYS = """keys:
  Enter, y  accept the model's sector (offered only when it is at least {preselect:.0%} sure)
  1 ev   2 fintech   3 chips   4 ecommerce   5 other
  x         not a headline (navigation, an ad): hidden from exports
  s         skip          u  undo the last decision
  ?         these keys    q  quit (every decision is already stored)"""


def _explainer(app: AppContext) -> Tagger | None:
    from classifier.errors import ModelError
    from classifier.registry import load_current

    try:
        return load_current(app.models_dir)
    except ModelError:
        return None


def _show(session: ReviewSession, tagger: Tagger | None) -> None:
    h = session.current
    assert h is not None
    when = h.published_at or h.first_seen_at
    click.echo("")
    click.echo(click.style(f"[{session.position + 1}/{len(session.queue)}]", dim=True)
               + f"  {h.source} · {when:%Y-%m-%d %H:%M}")
    click.echo("  " + click.style(h.title, bold=True))
    words = ""
    if tagger is not None and h.sector:
        words = f"  ({tagger.explain(h.title, h.sector)})"
    guess = f"{h.sector} {h.confidence:.2f}" if h.sector and h.confidence is not None else "untagged"
    offer = session.preselected()
    prompt = f"[Enter] {offer}  " if offer else "pick 1-5  "
    click.echo(f"  model: {guess}{words}")
    click.echo(click.style(f"  {prompt}1 ev 2 fintech 3 chips 4 ecommerce 5 other  x not a headline  "
                           "s skip  u undo  ? keys  q quit", dim=True))


def _loop(session: ReviewSession, tagger: Tagger | None) -> None:
    from classifier import LABELS
    from headlines.review import PRESELECT
    from store import HIDDEN_LABEL

    by_key = {str(i): label for i, label in enumerate(LABELS, 1)}
    while not session.done:
        _show(session, tagger)
        while True:
            key = click.getchar()
            if key in ("\r", "\n", "y", "Y"):
                offer = session.preselected()
                if offer is None:
                    click.echo("  the model is not sure enough here: pick 1-5 (or s to skip)")
                    continue
                session.decide(offer)
            elif key in by_key:
                session.decide(by_key[key])
            elif key in ("x", "X"):
                session.decide(HIDDEN_LABEL)
            elif key in ("s", "S"):
                session.skip()
            elif key in ("u", "U"):
                undone = session.undo()
                click.echo(f"  undone: {undone.headline.title}" if undone else "  nothing to undo")
            elif key == "?":
                click.echo(KEYS.format(preselect=PRESELECT))
                continue
            elif key in ("q", "Q", "\x03", "\x04"):
                return
            else:
                continue
            break


def _summary(session: ReviewSession) -> None:
    results = session.summary()
    total = sum(n for n, _ in results.values())
    click.echo("")
    click.echo(f"{total} headlines reviewed" + (", all stored." if total else "."))
    for sector, (n, right) in sorted(results.items()):
        click.echo(f"  model said {sector:<10} {n:>4} reviewed, right {right:>4} ({right / n:.0%})")


@click.command()
@query_options
@click.option("--limit", default=200, show_default=True, help="Headlines in the queue.")
@click.option("--random", "random_share", default=0.1, show_default=True, type=click.FloatRange(0, 1),
              help="Share of the queue drawn at random rather than least certain first.")
@click.option("--reviewer", default=None, help="Name kept with each label (default: your login name).")
@click.pass_obj
def review(app: AppContext, sectors: tuple[str, ...], sources: tuple[str, ...], since: object, until: object,
           min_confidence: float | None, limit: int, random_share: float, reviewer: str | None) -> None:
    """Review tagged headlines one at a time: accept or correct the model's sector with one key.

    The least certain headlines come first (the smallest margin between the model's top two sectors), with
    a random slice mixed in so that confident mistakes are found too. Every decision is stored at once: quit,
    Ctrl-C or a lost terminal loses nothing, and the next `headlines review` continues with what is left.
    Press ? for the keys.
    """
    from headlines.labels import reviewer_name
    from headlines.review import ReviewSession, build_queue

    if not sys.stdin.isatty():
        raise click.UsageError("review reads single keys from a terminal; to label in a spreadsheet use "
                               "`headlines labels export` and `headlines labels import`")
    query = make_query(sectors, sources, since, until, min_confidence)  # type: ignore[arg-type]
    with app.store("write") as store:
        queue = build_queue(store, query, limit, random_share)
        if not queue:
            click.echo("Nothing to review: every tagged headline that matches has a label.")
            return
        session = ReviewSession(store, queue, reviewer_name(reviewer))
        tagger = _explainer(app)
        click.echo(f"{len(queue)} headlines to review; press ? for the keys.")
        try:
            _loop(session, tagger)
        except (KeyboardInterrupt, EOFError):
            pass
        _summary(session)

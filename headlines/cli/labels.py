"""`headlines labels export|import` (labeling in a spreadsheet) and `headlines rules preview|apply`."""

from __future__ import annotations

from pathlib import Path

import click

from headlines.cli.context import AppContext
from headlines.cli.options import make_query, query_options
from headlines.errors import InputError

DEFAULT_RULES = Path("rules.toml")


@click.group()
def labels() -> None:
    """Label headlines in a spreadsheet: export the ones to review, import the labels given to them."""


@labels.command("export")
@query_options
@click.option("--unreviewed", is_flag=True, help="Only headlines no person has labeled yet.")
@click.option("--limit", type=int, default=None, help="At most this many, least certain first.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=Path("-"), show_default="stdout", help="CSV file to write.")
@click.option("--excel", is_flag=True, help="Write UTF-8 with a BOM, so Excel shows Chinese text correctly.")
@click.pass_obj
def labels_export(app: AppContext, sectors: tuple[str, ...], sources: tuple[str, ...], since: object, until: object,
                  min_confidence: float | None, unreviewed: bool, limit: int | None, output: Path,
                  excel: bool) -> None:
    """Write headlines to label as CSV: url,title,source,published_at,sector,confidence,label.

    Fill in the `label` column (ev, fintech, chips, ecommerce, other, or not_headline) and give the file to
    `headlines labels import`. Rows are ordered least certain first.
    """
    from headlines.labels import write_review_csv
    from headlines.output import output_file

    query = make_query(sectors, sources, since, until, min_confidence,  # type: ignore[arg-type]
                       reviewed=False if unreviewed else None, order="uncertainty", limit=limit)
    with app.store("read") as store, output_file(output, encoding="utf-8-sig" if excel else "utf-8") as out:
        count = write_review_csv(store.query(query), out)
    click.echo(f"{count} headlines written" + ("" if str(output) == "-" else f" to {output}"), err=True)


@labels.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Apply the valid rows and list the others (default: apply "
                                                   "nothing unless every row is valid).")
@click.option("--reviewer", default=None, help="Name kept with each label (default: your login name).")
@click.pass_obj
def labels_import(app: AppContext, file: Path, skip_invalid: bool, reviewer: str | None) -> None:
    """Import people's labels from a CSV with `url` and `label` columns (as `labels export` writes it).

    Every row is checked first; each problem is listed with its row number (unknown sector, unknown URL, a
    URL twice, a title changed since the export) and nothing is applied unless the file is valid, or with
    --skip-invalid only the valid rows are. Files saved by Excel (BOM, `;` separators, CRLF) import too.
    Importing the same file again changes nothing.
    """
    from headlines.labels import import_labels, reviewer_name

    with app.store("write") as store:
        report = import_labels(store, file, reviewer_name(reviewer), skip_invalid)
    for problem in report.problems:
        click.echo(f"{file}: {problem}", err=True)
    if not report.applied:
        raise InputError(f"{file}: {len(report.problems)} rows have problems; nothing was imported "
                         "(fix them, or use --skip-invalid to import the valid rows)")
    click.echo(f"{len(report.changed)} labels set, {report.unchanged} already so, {report.blank} rows without a "
               f"label" + (f", {len(report.problems)} rows skipped" if report.problems else ""))


def _rules_option(func):  # type: ignore[no-untyped-def]
    return click.option("--rules", "rules_file", type=click.Path(dir_okay=False, path_type=Path),
                        default=DEFAULT_RULES, show_default=True, envvar="HEADLINES_RULES", show_envvar=True,
                        help="TOML file of [[rules]] tables (pattern, match, sector, source).")(func)


@click.group()
def rules() -> None:
    """Correct the model systematically with `pattern -> sector` rules, without waiting for a retrain.

    \b
    [[rules]]
    pattern = "parcel locker"     # a word, a phrase, or with match = "regex" a regular expression
    match   = "phrase"            # word (default) | phrase | regex; case is ignored
    sector  = "ecommerce"         # or not_headline
    source  = "scmp-tech"         # optional
    A rule's label never overrides a person's, and is not used for training.
    """


@rules.command("preview")
@_rules_option
@query_options
@click.option("--sample", default=3, show_default=True, help="Example titles shown per rule.")
@click.pass_obj
def rules_preview(app: AppContext, rules_file: Path, sectors: tuple[str, ...], sources: tuple[str, ...],
                  since: object, until: object, min_confidence: float | None, sample: int) -> None:
    """Show what each rule would change on the stored headlines: counts and a sample, nothing written."""
    from headlines.rules import candidates, load_rules, plan

    loaded = load_rules(rules_file)
    query = make_query(sectors, sources, since, until, min_confidence)  # type: ignore[arg-type]
    with app.store("read") as store:
        changes = list(plan(loaded, candidates(store, query)))
    for rule in loaded:
        mine = [c for c in changes if c.rule is rule]
        shown = sum(c.shown_changes for c in mine)
        click.echo(f"{rule.name} -> {rule.sector}: {len(mine)} headlines, {shown} of them change sector")
        for change in mine[:sample]:
            click.echo(f"    {change.headline.effective_sector or '-'} -> {rule.sector}  {change.headline.title}")
    click.echo(f"{len(changes)} headlines would be labeled by rules; `headlines rules apply` does it")


@rules.command("apply")
@_rules_option
@click.pass_obj
def rules_apply(app: AppContext, rules_file: Path) -> None:
    """Label every stored headline a rule matches (none a person labeled), in one transaction."""
    from headlines.rules import apply, candidates, load_rules, plan

    loaded = load_rules(rules_file)
    with app.store("write") as store:
        changes = list(plan(loaded, candidates(store)))
        done = apply(store, changes)
    for rule in loaded:
        click.echo(f"{rule.name} -> {rule.sector}: {sum(c.rule is rule for c in changes)} headlines")
    click.echo(f"{done} headlines labeled by rules")

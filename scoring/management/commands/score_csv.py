import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.engine import score
from scoring.engine.csv_io import CsvInputError, read_population_csv, write_result_csv
from scoring.engine.population import as_reference_date
from scoring.engine.system import SystemDef
from scoring.models import IndicatorSystem
from scoring.selectors import system_definition

BAD_INPUT = 2  # exit code for a CSV, date or system the command cannot use
MAX_LISTED = 20  # problems spelled out in the message; a broken column of a large file would list thousands


class Command(BaseCommand):
    help = (
        "离线评分:按指标体系为 CSV 中的企业评分并写出结果 CSV。 / Score an offline-scoring CSV with an indicator "
        "system (a key such as national-v1, or a system JSON written by export_run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--system", required=True, help="system key (national-v1) or path to a system JSON file")
        parser.add_argument("--reference-date", required=True, help="YYYY-MM-DD, Dec 31 of the filing year")
        parser.add_argument("input", help="input CSV (enterprise_id, industry_code, region_code, established, ...)")
        parser.add_argument("output", help="output CSV: one row per enterprise")

    def handle(self, *args, system: str, reference_date: str, input: str, output: str, **options):
        definition = load_system(system)
        errors = definition.validate(definition.extra_sources)  # a local field is read from its own column
        if errors:
            raise CommandError(f"invalid indicator system {system}: {'; '.join(errors)}", returncode=BAD_INPUT)
        try:
            reference = as_reference_date(reference_date)
        except ValueError:
            raise CommandError(f"--reference-date {reference_date!r} is not a YYYY-MM-DD date", returncode=BAD_INPUT)
        try:
            population = read_population_csv(input, reference, extra_fields=definition.extra_sources)
        except FileNotFoundError:
            raise CommandError(f"{input}: no such file", returncode=BAD_INPUT)
        except CsvInputError as error:
            problems = [problem.message for problem in error.errors]
            listed = "; ".join(problems[:MAX_LISTED])
            more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
            raise CommandError(f"{input}: {len(problems)} problem(s): {listed}{more}", returncode=BAD_INPUT)
        result = score(population, definition)
        write_result_csv(result, population, output)
        self.stdout.write(
            f"Scored {result.n:,} firms with {definition.code}-v{definition.version} "
            f"(sha256 {result.system_hash[:12]}…) into {output}."
        )


def load_system(name: str) -> SystemDef:
    """A system JSON file (as export_run writes it) if ``name`` is a path, else a stored system's key."""
    path = Path(name)
    if path.suffix == ".json" or path.exists():
        try:
            return SystemDef.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"cannot read system file {name}: {error}", returncode=BAD_INPUT)
    code, _, version = name.rpartition("-v")
    system = IndicatorSystem.objects.filter(code=code, version=int(version)).first() if version.isdigit() else None
    if system is None:
        known = ", ".join(s.key for s in IndicatorSystem.objects.all())
        raise CommandError(f"no indicator system {name!r} (known: {known})", returncode=BAD_INPUT)
    return system_definition(system=system)

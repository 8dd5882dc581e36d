"""CI gate: pip-audit over the installed environment. A known vulnerability fails; an unreachable service warns.

pip-audit asks a vulnerability service about every installed distribution (PyPI's JSON API by default). Where that
service cannot be reached (a machine that only sees a package mirror), pip-audit marks each dependency "could not be
audited" and still prints "No known vulnerabilities found": that is no evidence of safety, so this script says so
loudly instead of passing silently. Findings that the service does report always fail the build.

Usage: python .ci/pip_audit.py  (exit 0: clean or not checkable; exit 1: vulnerabilities found)
"""

import json
import subprocess  # nosec B404 # runs pip-audit, a fixed argument list
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
# Vulnerabilities accepted after review, each with its reason: {"GHSA-...": "why it does not apply"}.
IGNORED: dict[str, str] = {}


def main() -> int:
    command = [str(PIP_AUDIT), "--format", "json", "--progress-spinner", "off", "--skip-editable", "--timeout", "20"]
    for vuln_id in IGNORED:
        command += ["--ignore-vuln", vuln_id]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 # nosec B603
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        print(f"pip-audit: WARNING: could not reach a vulnerability service, nothing was audited ({tail})")
        return 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} installed distribution(s) with known vulnerabilities:")
        for dependency in vulnerable:
            for vuln in dependency["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                print(f"  {dependency['name']} {dependency.get('version', '')}: {vuln['id']} (fixed in {fixed})")
        return 1
    if not audited:
        print(
            f"pip-audit: WARNING: the vulnerability service could not be reached or knows none of the {len(skipped)} "
            "installed distributions, so NOTHING WAS AUDITED (this is not a clean result). "
            f"First reason: {skipped[0]['skip_reason'] if skipped else 'no dependencies found'}"
        )
        return 0
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"pip-audit: WARNING: {len(skipped)} distribution(s) could not be audited: {names}")
    print(f"pip-audit: {len(audited)} distributions audited, no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``manage.py verify_certificate FILE``: verify a certificate offline with the configured public keys.

Exit code 0 when the signature is good and the certificate has not expired, 1 otherwise (forged, altered, unknown key,
expired, unreadable). Whether it was since superseded or revoked only the platform knows: the message says where to
check online.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dashboard.certificates import EXPIRED, STATUS_LABELS, VALID, CertificateError, check_signature, parse


class Command(BaseCommand):
    help = "Verify a score certificate (JSON) offline with the configured public keys; exit 0 if valid, 1 otherwise."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the certificate JSON file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            document = parse(path.read_bytes())
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}", returncode=1) from error
        except CertificateError as error:
            raise CommandError(f"{path}: not a certificate ({error})", returncode=1) from error
        status = check_signature(document)
        if status == VALID:
            self.stdout.write(
                f"VALID: signature of key {document['key_id']} is good; {document['firm']} "
                f"({document['credit_code']}) total {document['total']} grade {document['grade']}, "
                f"expires {document['expires_on']}. Whether it was superseded or revoked: {document.get('verify_url')}"
            )
            return
        if status == EXPIRED:
            raise CommandError(f"EXPIRED on {document['expires_on']}: {STATUS_LABELS[EXPIRED]}", returncode=1)
        raise CommandError(
            "FORGED: bad or missing signature, an unknown key id or an altered field; do not trust this certificate.",
            returncode=1,
        )

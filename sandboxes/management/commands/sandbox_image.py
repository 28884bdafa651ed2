from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sandboxes.engine import SandboxUnavailable
from sandboxes.image_build import (
    SandboxImageBuildError,
    SandboxImageError,
    sandbox_image_ensure,
    sandbox_image_status,
)


class Command(BaseCommand):
    help = (
        "Build the sandbox image when its inputs (Dockerfile, requirements, harness, base "
        "image) changed since the last build; do nothing otherwise."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--check",
            action="store_true",
            help="only say whether the image is up to date; exit 1 if it is not",
        )
        mode.add_argument("--force", action="store_true", help="rebuild even when up to date")
        parser.add_argument(
            "--base",
            metavar="IMAGE",
            help="base image with python3 (default: $SANDBOX_BASE_IMAGE, else "
            "lectern-sandbox-base:bookworm, made here with debootstrap)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                status = sandbox_image_status(base_image=options["base"])
                self.stdout.write(f"sandbox image {settings.SANDBOX_IMAGE} is {status}")
                if status != "up to date":
                    raise SystemExit(1)
                return
            sandbox_image_ensure(
                base_image=options["base"], force=options["force"], log=self.stdout.write
            )
        except SandboxImageBuildError as error:
            # The failing step's output has just been written to stdout.
            raise CommandError(error.headline) from error
        except (SandboxImageError, SandboxUnavailable) as error:
            raise CommandError(str(error)) from error

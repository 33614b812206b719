from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from curation.services.accounts import editor_ensure


class Command(BaseCommand):
    help = "Create the bootstrap editor account if it does not exist, printing its password once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="editor")
        parser.add_argument("--email", default="editor@localhost")

    def handle(self, *args: Any, **options: Any) -> None:
        user, password = editor_ensure(username=options["username"], email=options["email"])
        if password:
            self.stdout.write(f"Editor account created: username {user.username!r}, password {password!r}")
            self.stdout.write("This password is shown only once; change it with `manage.py changepassword`.")
        else:
            self.stdout.write(
                f"Editor account {user.username!r} exists (reset: manage.py changepassword {user.username})."
            )

"""Write docs/cli.md, the CLI reference, from the commands' own --help.

    python docs/cli_reference.py          # rewrite docs/cli.md
    python docs/cli_reference.py --check  # exit 1 if docs/cli.md is out of date (the tests run this)
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "cli.md"


def reference() -> str:
    import click

    from policykg.cli import cli

    def help_text(command: click.Command, path: list[str]) -> str:
        with click.Context(command, info_name=" ".join(path), terminal_width=100, max_content_width=100) as ctx:
            return command.get_help(ctx)

    parts = ["# Command-line reference", "",
             "Generated from `--help` by `python docs/cli_reference.py`; do not edit by hand.", "",
             "```", help_text(cli, ["policykg"]), "```", ""]
    for name in sorted(cli.list_commands(None)):
        command = cli.get_command(None, name)
        if command.hidden:
            continue
        parts += [f"## policykg {name}", "", "```", help_text(command, ["policykg", name]), "```", ""]
    return "\n".join(parts)


def main() -> int:
    text = reference()
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run python docs/cli_reference.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

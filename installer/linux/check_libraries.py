"""Check that an unpacked a7desktop package finds every shared library it needs.

    python installer/linux/check_libraries.py ROOT "DEPENDS"

ROOT is a folder the .deb was unpacked into (``dpkg -x``), DEPENDS its
``Depends`` field. For every ELF file under ``ROOT/opt/a7desktop`` each
library it links against (ELF ``NEEDED``) must either ship in the bundle or
be installed on this machine by a Debian package that DEPENDS names. So a
library added by a new Qt or Python version, and not yet in
``installer/linux/depends``, fails the build here rather than on a user's
workstation. Prints one line per problem and exits 1, or a summary and 0.
Needs objdump (binutils), ldconfig and dpkg.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

_NEEDED = re.compile(r"^\s*NEEDED\s+(\S+)", re.MULTILINE)
# ldconfig -p: "libz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1"
_CACHE_LINE = re.compile(r"^\s*(\S+) \(([^)]*)\) => (\S+)$")


def elf_files(bundle: Path) -> list[Path]:
    """Regular files under ``bundle`` that start with the ELF magic number."""
    found = []
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as file:
            if file.read(4) == b"\x7fELF":
                found.append(path)
    return found


def needed(path: Path) -> list[str]:
    """The library names ``path`` links against directly."""
    dump = subprocess.run(  # noqa: S603 - a fixed tool on our own files
        ["objdump", "-p", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return _NEEDED.findall(dump)


def library_cache() -> dict[str, str]:
    """Library name to path, for this machine's word size, from ldconfig."""
    listing = subprocess.run(
        ["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True
    ).stdout
    wide_machine = sys.maxsize > 2**32
    cache: dict[str, str] = {}
    for line in listing.splitlines():
        match = _CACHE_LINE.match(line)
        # The flags name the ABI: "libc6,x86-64" or "libc6,AArch64" for 64 bits.
        if match and ("64" in match[2]) == wide_machine:
            cache.setdefault(match[1], match[3])
    return cache


def _usr_variants(path: str) -> list[str]:
    # With a merged /usr, dpkg may have recorded /lib/... or /usr/lib/...
    resolved = str(Path(path).resolve())
    variants = []
    for candidate in (path, resolved):
        variants.append(candidate)
        if candidate.startswith("/usr/lib/"):
            variants.append(candidate.removeprefix("/usr"))
        elif candidate.startswith("/lib/"):
            variants.append("/usr" + candidate)
    return list(dict.fromkeys(variants))


def owners(paths: list[str]) -> dict[str, str]:
    """The Debian package that installed each path, for the paths dpkg knows."""
    variants = {path: _usr_variants(path) for path in paths}
    every = sorted({variant for group in variants.values() for variant in group})
    # One dpkg call for all: it prints "package[:arch]: path" for each it
    # knows and complains on stderr about the rest.
    listing = subprocess.run(  # noqa: S603
        ["dpkg", "-S", *every],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    owner_of: dict[str, str] = {}
    for line in listing.splitlines():
        packages, separator, path = line.partition(": ")
        if separator:
            owner_of[path] = packages.split(",")[0].split(":")[0].strip()
    result = {}
    for path, group in variants.items():
        for variant in group:
            if variant in owner_of:
                result[path] = owner_of[variant]
                break
    return result


def depends_names(depends: str) -> set[str]:
    """Every package name a ``Depends`` field accepts, alternatives included."""
    names = set()
    for relation in depends.split(","):
        for alternative in relation.split("|"):
            name = alternative.strip().split(" ", 1)[0].split(":", 1)[0]
            if name:
                names.add(name)
    return names


def check(root: Path, depends: str) -> list[str]:
    """Return the problems found (empty when every library is accounted for)."""
    bundle = root / "opt" / "a7desktop"
    shipped = {path.name for path in bundle.rglob("*")}
    cache = library_cache()
    wanted: dict[str, list[str]] = {}
    for path in elf_files(bundle):
        for library in needed(path):
            if library not in shipped:
                wanted.setdefault(library, []).append(str(path.relative_to(root)))

    problems = []
    paths = {library: cache[library] for library in wanted if library in cache}
    for library in sorted(set(wanted) - set(paths)):
        problems.append(
            f"{library} (needed by {wanted[library][0]}) is not installed here"
        )
    package_of = owners(sorted(paths.values()))
    allowed = depends_names(depends)
    for library, location in sorted(paths.items()):
        package = package_of.get(location)
        if package is None:
            problems.append(f"{library} ({location}) belongs to no Debian package")
        elif package not in allowed:
            problems.append(
                f"{library} comes from {package}, which Depends does not name "
                f"(needed by {wanted[library][0]})"
            )
    if not problems:
        packages = sorted(set(package_of.values()))
        print(
            f"libraries: {len(wanted)} system libraries from {len(packages)} "
            "packages, every one named in Depends"
        )
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(Path(argv[0]), argv[1])
    for problem in problems:
        print(f"libraries: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

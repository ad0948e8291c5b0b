"""Build the optional compiled core (`autograd/_ccore.pyx`) with Cython.

Everything else is in pyproject.toml. Where no C compiler works, the
install goes on without the extension and says so once: `autograd` then
uses its Python core, which gives the same results more slowly.
"""

from __future__ import annotations

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext that warns and goes on when the compiled core cannot be built."""

    def run(self) -> None:
        """Build the extensions, or say why not and go on."""
        try:
            super().run()
        except Exception as error:  # no compiler, no headers: the Python core
            _fallback(error)

    def build_extension(self, ext: Extension) -> None:
        """Build one extension, or say why not and go on."""
        try:
            super().build_extension(ext)
        except Exception as error:
            _fallback(error)


def _fallback(error: BaseException) -> None:
    print(
        "scalargrad: the compiled core could not be built "
        f"({type(error).__name__}: {error}); installing the Python core only "
        "(same results, slower)",
        file=sys.stderr,
    )


def _extensions() -> list[Extension]:
    try:
        from Cython.Build import cythonize  # noqa: PLC0415 - a build requirement
    except ImportError as error:  # a build without the build requirements
        _fallback(error)
        return []
    # Fused multiply-add would round a * b + c once instead of twice, and so
    # change bits against the Python core: contraction stays off.
    flags = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]
    core = Extension(
        "autograd._ccore", ["autograd/_ccore.pyx"], extra_compile_args=flags
    )
    return list(cythonize([core], quiet=True, language_level=3))


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})

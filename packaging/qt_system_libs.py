"""Check (and on request install) the system libraries Qt's window plugin needs on Linux.

Pure standard library, runnable before or after the virtualenv exists:

    python3 packaging/qt_system_libs.py            # report; exit 1 with one line saying what to install
    python3 packaging/qt_system_libs.py --install  # install missing Debian/Ubuntu packages when root
    python3 packaging/qt_system_libs.py --display  # also check that a graphical display is reachable

The authoritative test is ``ldd`` on PySide6's xcb platform plugin when it is installed; before that,
a fixed list of sonames is looked up with ``ldconfig -p``.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys

# soname -> Debian/Ubuntu package providing it
PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxcb.so.1": "libxcb1",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
}
# Fonts: without any, Qt draws no text at all (offscreen tests and screenshots included).
FONT_PACKAGE = "fonts-dejavu-core"


def _ldconfig_sonames() -> set[str]:
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return set()
    return {line.split()[0] for line in out.splitlines()[1:] if line.strip()}


def _plugin_missing() -> set[str] | None:
    """Sonames ``ldd`` reports missing for PySide6's xcb plugin, or None if PySide6 is not found."""
    candidates = glob.glob(
        os.path.join(
            sys.prefix, "lib", "python3*", "site-packages", "PySide6", "Qt", "plugins", "platforms", "libqxcb.so"
        )
    )
    if not candidates or not shutil.which("ldd"):
        return None
    out = subprocess.run(["ldd", candidates[0]], capture_output=True, text=True, check=False).stdout
    return {line.split()[0] for line in out.splitlines() if "not found" in line}


def missing_packages() -> list[str]:
    found = _ldconfig_sonames()
    missing = {PACKAGES[so] for so in PACKAGES if so not in found}
    from_plugin = _plugin_missing()
    if from_plugin:
        missing |= {PACKAGES.get(so, so) for so in from_plugin}
    if not glob.glob("/usr/share/fonts/**/*.ttf", recursive=True):
        missing.add(FONT_PACKAGE)
    return sorted(missing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help="install what is missing (needs root and apt-get)")
    parser.add_argument("--display", action="store_true", help="also require a graphical display")
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        return 0
    missing = missing_packages()
    if missing and args.install and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        print(f"Installation des bibliothèques système pour Qt : {' '.join(missing)}", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=False, env=env)
        missing = missing_packages()
    if missing:
        sudo = "" if os.geteuid() == 0 else "sudo "
        print(
            f"Il manque des bibliothèques système pour Qt ; installez-les avec : "
            f"{sudo}apt-get install -y {' '.join(missing)}",
            file=sys.stderr,
        )
        return 1
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if (
        args.display
        and not platform.startswith(("offscreen", "minimal", "vnc"))
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        print(
            "Aucun écran graphique détecté (DISPLAY et WAYLAND_DISPLAY vides) : lancez Arobase depuis une "
            "session graphique, ou essayez sans écran avec QT_QPA_PLATFORM=offscreen make run.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

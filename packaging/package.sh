#!/usr/bin/env bash
# packaging/package.sh: builds IDLE's installable packages into target/dist/ from the fat jars,
# with the JDK's own jdeps, jlink and jpackage, and Debian's dpkg-deb:
#   idle-client_VERSION_ARCH.deb    the `idle` command (run, jobs, output, cancel, lend, gui), the
#                                   workbench's desktop entry and icon, a trimmed Java runtime
#   idle-server_VERSION_ARCH.deb    the server under systemd (idle-server.service, system user
#                                   `idle`, data in /var/lib/idle) and the `idle-admin` command
#   idle-client-VERSION-linux-ARCH.tar.gz, idle-server-...tar.gz   the same programs as plain
#                                   folders (jpackage app-images) to unpack anywhere
# Usage: packaging/package.sh     (./idle package builds the jars first and sets JAVA_HOME)
# Needs: JAVA_HOME = a JDK >= 21 with jlink and jpackage; dpkg-deb (Debian's dpkg). No fakeroot:
# the .debs are built with dpkg-deb --root-owner-group.
#
# Why jpackage makes only the app-image and dpkg-deb the .deb: jpackage's own .deb puts
# everything under /opt and names services after package and launcher; the packages need files
# elsewhere too (/lib/systemd/system, /usr/bin, /usr/share/applications, /etc/default) and their
# own maintainer scripts (system user, symlink, service), which a staged tree states plainly.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PKG="$ROOT/packaging"
SERVER_JAR="$ROOT/server/target/idle-server-1.0.0-SNAPSHOT-all.jar"
CLIENT_JAR="$ROOT/client-swt/target/idle-client-swt-1.0.0-SNAPSHOT-all.jar"
DIST="$ROOT/target/dist"
WORK="$ROOT/target/package-work"
# The packages refuse to grow past this: a person downloads them.
MAX_BYTES=$((80 * 1024 * 1024))

die() { echo "package: $*" >&2; exit 1; }
case "${1:-}" in -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
step() { printf 'package: %-44s' "$1" >&2; STEP_T0=$(date +%s%N); }
done_step() { echo "$(( ($(date +%s%N) - STEP_T0) / 1000000 )) ms${1:+  ($1)}" >&2; }

JDK="${JAVA_HOME:-}"
[ -n "$JDK" ] || die "JAVA_HOME is not set (./idle package sets it to a JDK >= 21)"
for tool in java jdeps jlink jpackage; do
  [ -x "$JDK/bin/$tool" ] || die "$JDK has no bin/$tool: packaging needs a full JDK >= 21 (with jpackage)"
done
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb is needed (Debian's dpkg package)"
[ -f "$CLIENT_JAR" ] && [ -f "$SERVER_JAR" ] || die "the jars are missing; run ./idle package (it builds them)"

# 1.0.0-SNAPSHOT -> 1.0.0~SNAPSHOT: Debian sorts "~" before the release, as Maven does.
POM_VERSION="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)"
[ -n "$POM_VERSION" ] || die "no <version> in pom.xml"
DEB_VERSION="${POM_VERSION//-/\~}"
APP_VERSION="${POM_VERSION%%-*}"   # jpackage wants digits and dots only
ARCH="$(dpkg --print-architecture)"

T_START=$(date +%s%N)
rm -rf "$WORK" "$DIST"
mkdir -p "$WORK" "$DIST"

# --- 1. The Java modules the two programs use ---------------------------------------------
# jdeps reads every class of the jars (10+ s on a busy machine), so its answer is kept until a
# jar changes. Added by hand: what code reaches only by name, which jdeps cannot see.
MODS_CACHE="$ROOT/target/package-modules.txt"
step "java modules (jdeps)"
if [ -f "$MODS_CACHE" ] && [ "$MODS_CACHE" -nt "$CLIENT_JAR" ] && [ "$MODS_CACHE" -nt "$SERVER_JAR" ]; then
  MODULES="$(cat "$MODS_CACHE")"; note="cached"
else
  feature="$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}')"
  MODULES="$("$JDK/bin/jdeps" --multi-release "$feature" --ignore-missing-deps \
    --print-module-deps "$CLIENT_JAR" "$SERVER_JAR")"
  [ -n "$MODULES" ] || die "jdeps printed no modules"
  # Before JDK 22 the elliptic curves of TLS 1.3 live in a module of their own, found by name.
  if [ "$feature" -lt 22 ]; then MODULES="$MODULES,jdk.crypto.ec"; fi
  echo "$MODULES" >"$MODS_CACHE"; note="$MODULES"
fi
done_step "$note"

# --- 2. One trimmed runtime for both programs (they need the same modules) -----------------
step "runtime (jlink)"
RUNTIME="$WORK/runtime"
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
  --generate-cds-archive --output "$RUNTIME" >"$WORK/jlink.log" 2>&1 \
  || { cat "$WORK/jlink.log" >&2; die "jlink failed"; }
# Both programs run headless AWT (the client draws with SWT/GTK; AWT only rasterizes icons):
# without the X11, sound and splash-screen libraries the packages need no X or ALSA libraries.
# The CDS archive for heaps over 32 GiB is left out too (such a JVM just starts without one).
rm -f "$RUNTIME"/lib/libawt_xawt.so "$RUNTIME"/lib/libjawt.so "$RUNTIME"/lib/libsplashscreen.so \
  "$RUNTIME"/lib/libjsound.so "$RUNTIME"/lib/server/classes_nocoops.jsa
done_step "$(du -sm "$RUNTIME" | cut -f1) MiB"

# --- 3. The two app-images (native launchers + runtime + jar) ------------------------------
app_image() { # NAME MAIN_JAR MAIN_CLASS OUT_DIR [jpackage options...]
  local name="$1" jar="$2" main="$3" out="$4"; shift 4
  mkdir -p "$WORK/in-$name" "$WORK/app-$name"
  cp "$jar" "$WORK/in-$name/$name.jar"
  "$JDK/bin/jpackage" --type app-image --name "$name" --app-version "$APP_VERSION" \
    --vendor "IDLE" --input "$WORK/in-$name" --main-jar "$name.jar" --main-class "$main" \
    --runtime-image "$RUNTIME" --dest "$WORK/app-$name" \
    --java-options '--enable-native-access=ALL-UNNAMED' --java-options '-Djava.awt.headless=true' \
    "$@" >"$WORK/jpackage-$name.log" 2>&1 || { cat "$WORK/jpackage-$name.log" >&2; die "jpackage $name failed"; }
  mv "$WORK/app-$name/$name" "$out"
}
step "app-images (jpackage)"
CLIENT_APP="$WORK/idle-client"
SERVER_APP="$WORK/idle-server"
app_image idle "$CLIENT_JAR" idle.client.ClientMain "$CLIENT_APP"
app_image idle-server "$SERVER_JAR" idle.server.ServerMain "$SERVER_APP"
install -m 0755 "$PKG/server/idle-admin-app" "$SERVER_APP/bin/idle-admin"
done_step

# --- 4. The .deb packages -------------------------------------------------------------------
# Depends: what the native libraries of the image link against (ldd, then the Debian package
# owning each library), plus what the programs start by path (bwrap, python3) or load (GTK).
shlib_depends() { # DIR -> comma-separated package names
  local libs
  libs="$(find "$1" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
    | xargs -0 -r ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u)"
  [ -n "$libs" ] || return 0
  local found="" l alt
  for l in $libs; do
    # usrmerge: dpkg knows /lib/x/libc.so.6 while ldd may say /usr/lib/x/libc.so.6, or back.
    case "$l" in /usr/lib/*) alt="${l#/usr}" ;; /lib/*) alt="/usr$l" ;; *) alt="$l" ;; esac
    found="$found
$(dpkg-query -S "$l" 2>/dev/null || dpkg-query -S "$alt" 2>/dev/null || true)"
  done
  echo "$found" | awk -F': ' 'NF >= 2 {split($1, p, /[:,]/); print p[1]}' | sort -u | paste -sd, | sed 's/,/, /g'
}

control() { # STAGE PACKAGE DEPENDS DESCRIPTION-FILE
  local stage="$1" name="$2" deps="$3" size
  size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
  {
    echo "Package: $name"
    echo "Version: $DEB_VERSION"
    echo "Architecture: $ARCH"
    echo "Maintainer: IDLE developers <idle@localhost>"
    echo "Installed-Size: $size"
    echo "Depends: $deps"
    echo "Section: net"
    echo "Priority: optional"
    cat "$4"
  } >"$stage/DEBIAN/control"
}

build_deb() { # STAGE OUT
  # gzip: about 4x faster than xz here for 2-3 MiB more; the runtime is most of the bytes.
  dpkg-deb --root-owner-group -Zgzip -z6 --build "$1" "$2" >/dev/null
}

doc_files() { # STAGE PACKAGE
  install -d "$1/usr/share/doc/$2"
  install -m 0644 "$PKG/copyright" "$1/usr/share/doc/$2/copyright"
  install -m 0644 "$ROOT/docs/INSTALL.md" "$1/usr/share/doc/$2/INSTALL.md"
}

# The tarballs compress on the second core while the .debs are packed.
(
  tar -C "$WORK" -czf "$DIST/idle-client-$POM_VERSION-linux-$ARCH.tar.gz" idle-client
  tar -C "$WORK" -czf "$DIST/idle-server-$POM_VERSION-linux-$ARCH.tar.gz" idle-server
) >"$WORK/tar.log" 2>&1 &
TAR_PID=$!
trap 'kill "$TAR_PID" 2>/dev/null || true' EXIT

step "client .deb"
CS="$WORK/deb-client"
install -d "$CS/DEBIAN" "$CS/opt" "$CS/usr/share/applications" \
  "$CS/usr/share/icons/hicolor/scalable/apps" "$CS/usr/share/icons/hicolor/128x128/apps"
cp -a "$CLIENT_APP" "$CS/opt/idle-client"
install -m 0644 "$PKG/client/idle-workbench.desktop" "$CS/usr/share/applications/"
install -m 0644 "$PKG/icons/idle-workbench.svg" "$CS/usr/share/icons/hicolor/scalable/apps/"
install -m 0644 "$PKG/icons/idle-workbench-128.png" "$CS/usr/share/icons/hicolor/128x128/apps/idle-workbench.png"
doc_files "$CS" idle-client
for s in postinst prerm; do install -m 0755 "$PKG/client/$s" "$CS/DEBIAN/$s"; done
deps="$(shlib_depends "$CS/opt")"
control "$CS" idle-client "${deps:+$deps, }bubblewrap, python3, libgtk-3-0" "$PKG/client/description"
CLIENT_DEB="$DIST/idle-client_${DEB_VERSION}_${ARCH}.deb"
build_deb "$CS" "$CLIENT_DEB"
done_step

step "server .deb"
SS="$WORK/deb-server"
install -d "$SS/DEBIAN" "$SS/opt" "$SS/usr/bin" "$SS/lib/systemd/system" "$SS/etc/default"
cp -a "$SERVER_APP" "$SS/opt/idle-server"
install -m 0644 "$PKG/server/idle-server.service" "$SS/lib/systemd/system/"
install -m 0644 "$PKG/server/default" "$SS/etc/default/idle-server"
install -m 0755 "$PKG/server/idle-admin" "$SS/usr/bin/idle-admin"
ln -s ../../opt/idle-server/bin/idle-server "$SS/usr/bin/idle-server"
doc_files "$SS" idle-server
for s in postinst prerm postrm; do install -m 0755 "$PKG/server/$s" "$SS/DEBIAN/$s"; done
echo /etc/default/idle-server >"$SS/DEBIAN/conffiles"
deps="$(shlib_depends "$SS/opt")"
# passwd: useradd for the service's system user; util-linux: setpriv for idle-admin.
control "$SS" idle-server "${deps:+$deps, }passwd, util-linux" "$PKG/server/description"
SERVER_DEB="$DIST/idle-server_${DEB_VERSION}_${ARCH}.deb"
build_deb "$SS" "$SERVER_DEB"
done_step

step "app-image tarballs (in parallel)"
wait "$TAR_PID" || die "the app-image tarballs failed: $(cat "$WORK/tar.log")"
trap - EXIT
done_step

# --- 5. Report ------------------------------------------------------------------------------
too_big=0
echo "package: built in $(( ($(date +%s%N) - T_START) / 1000000 )) ms, into ${DIST#"$ROOT"/}/:"
for f in "$DIST"/*; do
  bytes=$(stat -c %s "$f")
  printf '  %-52s %6.1f MiB\n' "${f##*/}" "$(echo "$bytes" | awk '{printf "%.1f", $1 / 1048576}')"
  [ "$bytes" -le "$MAX_BYTES" ] || { echo "package: ${f##*/} is over $((MAX_BYTES / 1048576)) MiB" >&2; too_big=1; }
done
for d in "$CLIENT_DEB" "$SERVER_DEB"; do
  echo "  ${d##*/} depends on: $(dpkg-deb -f "$d" Depends)"
done
[ "$too_big" -eq 0 ] || exit 1

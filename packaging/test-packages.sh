#!/usr/bin/env bash
# packaging/test-packages.sh: builds the packages (./idle package) and uses them as a person
# would after installing them, with no JDK: each .deb is unpacked (dpkg-deb -x) into a temporary
# folder, and from there, with JAVA_HOME unset and no java or mvn on the PATH, it
#   - adds users with the packaged idle-admin, starts the packaged server on a free port,
#   - lends with the packaged client, runs a script and reads its output (run, jobs, output),
#   - administers through the running server (idle-admin --server),
#   - installs and removes the lender's systemd user service (idle lend --install-service),
#   - opens the workbench under Xvfb until its logged-in window shows (skipped without Xvfb),
#   - checks the unit files with systemd-analyze verify (skipped without systemd-analyze).
# Called by `./idle test` after the modules' tests. Fails loudly at the first wrong thing; leaves
# no process behind. Set IDLE_KEEP_TEST_DIR=1 to keep the temporary folder for a look.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
T_START=$(date +%s%N)
CHECKS=0
TMP="$(mktemp -d "${TMPDIR:-/tmp}/idle-packages.XXXXXX")"
PIDS=()

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
ok() { CHECKS=$((CHECKS + 1)); echo "test-packages: ok   $*"; }
skip() { echo "test-packages: SKIP $*"; }
fail() {
  echo "test-packages: FAIL $*" >&2
  local f
  for f in "$TMP"/*.out "$TMP"/*.err; do
    [ -s "$f" ] || continue
    echo "----- last lines of ${f##*/} -----" >&2; tail -n 25 "$f" >&2
  done
  exit 1
}
trap 'fail "command failed (line $LINENO): $BASH_COMMAND"' ERR

cleanup() {
  local rc=$? p deadline
  trap - EXIT ERR
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  deadline=$(( $(date +%s) + 20 ))
  for p in "${PIDS[@]}"; do
    while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ "${IDLE_KEEP_TEST_DIR:-0}" = 1 ]; then echo "test-packages: kept $TMP" >&2; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Polls FILE for a line matching the extended regex, up to SECONDS; prints the first match.
wait_for_line() { # FILE REGEX SECONDS WHAT [PID]
  local deadline=$(( $(date +%s) + $3 )) line
  while [ "$(date +%s)" -lt "$deadline" ]; do
    line="$(grep -E -m 1 -- "$2" "$1" 2>/dev/null || true)"
    if [ -n "$line" ]; then echo "$line"; return 0; fi
    if [ -n "${5:-}" ] && ! kill -0 "$5" 2>/dev/null; then fail "$4: the process exited"; fi
    sleep 0.1
  done
  fail "$4: no line matching '$2' in $1 within $3 s"
}

# --- build ----------------------------------------------------------------------------------
t=$(date +%s%N)
"$ROOT/idle" package
PACKAGE_MS=$(ms_since "$t")
DIST="$ROOT/target/dist"
CLIENT_DEB="$(ls "$DIST"/idle-client_*.deb)"
SERVER_DEB="$(ls "$DIST"/idle-server_*.deb)"
ok "packages built in $PACKAGE_MS ms"
for f in "$DIST"/*; do
  [ "$(stat -c %s "$f")" -le $((80 * 1024 * 1024)) ] || fail "${f##*/} is over 80 MiB"
done
ls "$DIST"/idle-client-*.tar.gz "$DIST"/idle-server-*.tar.gz >/dev/null
ok "4 files in target/dist, each under 80 MiB"
deps="$(dpkg-deb -f "$CLIENT_DEB" Depends)"
for d in bubblewrap python3 libgtk-3-0; do
  [[ ", $deps," == *", $d,"* ]] || fail "the client package does not depend on $d: $deps"
done
ok "the client package depends on bubblewrap, python3, libgtk-3-0 ($deps)"
[ -z "$(dpkg-deb -f "$SERVER_DEB" Depends | grep -E 'libx|libasound|libgtk' || true)" ] \
  || fail "the server package depends on desktop libraries: $(dpkg-deb -f "$SERVER_DEB" Depends)"
ok "the server package needs no X, GTK or sound library"

# --- unpack ---------------------------------------------------------------------------------
C="$TMP/client-root"; S="$TMP/server-root"
dpkg-deb -x "$CLIENT_DEB" "$C"
dpkg-deb -x "$SERVER_DEB" "$S"
for f in "$C/opt/idle-client/bin/idle" "$S/opt/idle-server/bin/idle-server" "$S/usr/bin/idle-admin" \
    "$S/opt/idle-server/bin/idle-admin"; do
  [ -x "$f" ] || fail "missing or not executable: ${f#"$TMP"/}"
done
for f in "$C/usr/share/applications/idle-workbench.desktop" \
    "$C/usr/share/icons/hicolor/scalable/apps/idle-workbench.svg" \
    "$C/usr/share/icons/hicolor/128x128/apps/idle-workbench.png" \
    "$S/lib/systemd/system/idle-server.service" "$S/etc/default/idle-server" \
    "$S/usr/share/doc/idle-server/INSTALL.md" "$C/usr/share/doc/idle-client/INSTALL.md"; do
  [ -s "$f" ] || fail "missing: ${f#"$TMP"/}"
done
grep -qx 'Exec=/opt/idle-client/bin/idle gui %F' "$C/usr/share/applications/idle-workbench.desktop" \
  || fail "the desktop entry does not open the workbench"
[ "$(readlink "$S/usr/bin/idle-server")" = ../../opt/idle-server/bin/idle-server ] \
  || fail "/usr/bin/idle-server does not point to the launcher"
[ -z "$(find "$C" "$S" -name 'java*' -path '*/usr/bin/*')" ] || fail "a package puts java on the PATH"
for p in "$CLIENT_DEB" "$SERVER_DEB"; do
  mkdir -p "$TMP/control-${p##*/}"
  dpkg-deb -e "$p" "$TMP/control-${p##*/}"
  for s in "$TMP/control-${p##*/}"/{postinst,prerm,postrm}; do
    [ ! -f "$s" ] || sh -n "$s" || fail "${p##*/}: $s is not valid sh"
  done
done
if command -v desktop-file-validate >/dev/null 2>&1; then
  out="$(desktop-file-validate "$C/usr/share/applications/idle-workbench.desktop" 2>&1)" \
    || fail "desktop-file-validate: $out"
  [ -z "$out" ] || fail "desktop-file-validate warns: $out"
  ok "desktop entry valid (desktop-file-validate)"
fi
ok "unpacked both packages: launchers, idle-admin, desktop entry, icons, unit, maintainer scripts"

# --- a PATH without java or mvn, no JAVA_HOME ---------------------------------------------------
# Every command of /usr/bin and /bin except the JDK's tools (whichever JDKs are installed) and
# Maven's, and except systemctl and loginctl: the lender's user service must not reach the
# session's real systemd from a test.
BIN="$TMP/bin"; mkdir -p "$BIN"
declare -A hidden=([mvn]=1 [mvnDebug]=1 [mvnyjp]=1 [systemctl]=1 [loginctl]=1 [java]=1 [javac]=1)
for f in /usr/lib/jvm/*/bin/* /usr/lib/jvm/*/jre/bin/*; do [ -e "$f" ] && hidden[${f##*/}]=1; done
for f in /usr/bin/* /bin/*; do
  n="${f##*/}"
  [ -z "${hidden[$n]:-}" ] && [ ! -e "$BIN/$n" ] && ln -s "$f" "$BIN/$n"
done
export PATH="$BIN"
unset JAVA_HOME JDK_JAVA_OPTIONS JAVA_TOOL_OPTIONS _JAVA_OPTIONS CLASSPATH
export HOME="$TMP/home" IDLE_HOME="$TMP/idle-home" XDG_CONFIG_HOME="$TMP/home/.config" \
  XDG_CACHE_HOME="$TMP/home/.cache" XDG_RUNTIME_DIR="$TMP/run"
mkdir -p "$HOME" "$IDLE_HOME" && install -d -m 0700 "$XDG_RUNTIME_DIR"
for tool in java javac mvn; do
  if command -v "$tool" >/dev/null 2>&1; then fail "$tool is still on the PATH: $(command -v "$tool")"; fi
done
ok "environment: no JAVA_HOME, no java or mvn on PATH"

IDLE="$C/opt/idle-client/bin/idle"
ADMIN="$S/usr/bin/idle-admin"
DATA="$TMP/server-data"

# --- server: users, start, fingerprint ------------------------------------------------------------
IDLE_PASSWORD=runner-password-1 "$ADMIN" --data "$DATA" user add alice >"$TMP/admin.out" 2>&1 \
  || fail "idle-admin user add alice"
IDLE_PASSWORD=admin-password-1 "$ADMIN" --data "$DATA" user add root --admin >>"$TMP/admin.out" 2>&1 \
  || fail "idle-admin user add root --admin"
IDLE_PASSWORD=x "$S/opt/idle-server/bin/idle-admin" --data "$DATA" user list >"$TMP/admin-list.out" 2>&1 \
  || fail "the app-image's idle-admin user list"
grep -q alice "$TMP/admin-list.out" && grep -q root "$TMP/admin-list.out" \
  || fail "idle-admin user list does not show alice and root"
ok "packaged idle-admin added alice and an admin on a fresh data directory"

t=$(date +%s%N)
"$S/usr/bin/idle-server" server --data "$DATA" --port 0 >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!; PIDS+=("$SERVER_PID")
listen="$(wait_for_line "$TMP/server.out" '^IDLE server listening on ' 90 "the packaged server" "$SERVER_PID")"
HOSTPORT="${listen#IDLE server listening on }"
fp_line="$(wait_for_line "$TMP/server.out" '^TLS key fingerprint: SHA256:' 10 "the server's fingerprint" "$SERVER_PID")"
FINGERPRINT="${fp_line#TLS key fingerprint: }"
ok "packaged server listens on $HOSTPORT after $(ms_since "$t") ms and printed its TLS fingerprint on stdout"
[ -s "$DATA/idle.log" ] || fail "the server wrote no $DATA/idle.log"
ok "the server logs to DATA/idle.log"

# --- lender -----------------------------------------------------------------------------------------
t=$(date +%s%N)
IDLE_PASSWORD=runner-password-1 "$IDLE" lend --server "$HOSTPORT" --user alice --max-jobs 1 \
  --cpu-seconds 30 --timeout 60 >"$TMP/lender.out" 2>"$TMP/lender.err" &
LENDER_PID=$!; PIDS+=("$LENDER_PID")
wait_for_line "$TMP/lender.out" 'lending as ' 90 "the packaged lender" "$LENDER_PID" >/dev/null
grep -qF "$FINGERPRINT" "$TMP/lender.err" \
  || fail "the lender pinned a key other than the server printed ($FINGERPRINT)"
ok "packaged client lends (online after $(ms_since "$t") ms) and pinned the server's fingerprint"

# --- runner -----------------------------------------------------------------------------------------
cat >"$TMP/hello.py" <<'PY'
import sys
total = sum(i * i for i in range(1000))
print("hello from the package:", total)
print("argument:", sys.argv[1])
with open("result.txt", "w") as f:
    f.write("squares %d\n" % total)
PY
t=$(date +%s%N)
rc=0
IDLE_PASSWORD=runner-password-1 "$IDLE" run "$TMP/hello.py" --server "$HOSTPORT" --user alice \
  --out "$TMP/results" -- the-argument >"$TMP/run.out" 2>"$TMP/run.err" || rc=$?
[ "$rc" -eq 0 ] || fail "idle run exited with $rc"
grep -qx 'hello from the package: 332833500' "$TMP/run.out" || fail "idle run did not print the script's output"
grep -qx 'argument: the-argument' "$TMP/run.out" || fail "idle run did not pass the script's argument"
result="$(find "$TMP/results" -name result.txt)"
[ -n "$result" ] && [ "$(cat "$result")" = "squares 332833500" ] || fail "the job's file did not come back"
JOB_ID="$(basename "$(dirname "$result")")"
ok "idle run: job $JOB_ID ran in the sandbox and streamed its output in $(ms_since "$t") ms; its file came back"

IDLE_PASSWORD=runner-password-1 "$IDLE" jobs --server "$HOSTPORT" --user alice >"$TMP/jobs.out" 2>"$TMP/jobs.err" \
  || fail "idle jobs"
grep -q "$JOB_ID" "$TMP/jobs.out" && grep -q hello.py "$TMP/jobs.out" || fail "idle jobs does not list job $JOB_ID"
IDLE_PASSWORD=runner-password-1 "$IDLE" output "$JOB_ID" --server "$HOSTPORT" --user alice \
  >"$TMP/output.out" 2>"$TMP/output.err" || fail "idle output $JOB_ID"
grep -qx 'hello from the package: 332833500' "$TMP/output.out" || fail "idle output did not print the stored output"
ok "idle jobs lists the job; idle output reads its output back"

IDLE_ADMIN_PASSWORD=admin-password-1 "$ADMIN" --server "$HOSTPORT" --user root user list \
  >"$TMP/remote-admin.out" 2>"$TMP/remote-admin.err" || fail "idle-admin --server ... user list"
grep -q alice "$TMP/remote-admin.out" || fail "idle-admin through the server does not list alice"
ok "idle-admin works through the running server"

# --- the lender's systemd user service ------------------------------------------------------------
UNIT="$XDG_CONFIG_HOME/systemd/user/idle-lend.service"
IDLE_PASSWORD=runner-password-1 "$IDLE" lend --install-service --server "$HOSTPORT" --user alice \
  --max-jobs 1 --cpu-seconds 45 --when-idle >"$TMP/service.out" 2>"$TMP/service.err" \
  || fail "idle lend --install-service exited with $?"
[ -f "$UNIT" ] || fail "no user unit at $UNIT"
grep -q "^ExecStart=$IDLE lend .*--cpu-seconds 45 .*--when-idle" "$UNIT" || fail "ExecStart lacks the limits: $(grep ExecStart "$UNIT")"
! grep -q runner-password-1 "$UNIT" || fail "the unit holds the password"
pwfile="$(grep -o -- '--password-file [^ ]*' "$UNIT" | cut -d' ' -f2)"
[ "$(stat -c %a "$pwfile")" = 600 ] && [ "$(head -n 1 "$pwfile")" = runner-password-1 ] \
  || fail "the password file $pwfile is not 0600 with the password"
grep -q "systemctl --user" "$TMP/service.out" "$TMP/service.err" \
  || fail "--install-service without a usable systemctl did not say how to enable the unit"
ok "idle lend --install-service wrote the user unit (limits, no password) and a 0600 password file"

# --- systemd-analyze verify -----------------------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
  # --root: the unit's ExecStart is checked inside the unpacked tree; --recursive-errors=no: the
  # tree has no systemd of its own for the targets the unit names.
  out="$(systemd-analyze verify --root="$S" --man=no --recursive-errors=no \
      /lib/systemd/system/idle-server.service 2>&1)" || fail "systemd-analyze verify idle-server.service: $out"
  [ -z "$out" ] || fail "systemd-analyze verify idle-server.service warns: $out"
  out="$(systemd-analyze --user verify --man=no --recursive-errors=no "$UNIT" 2>&1)" \
    || fail "systemd-analyze --user verify idle-lend.service: $out"
  [ -z "$out" ] || fail "systemd-analyze --user verify idle-lend.service warns: $out"
  ok "systemd-analyze verify: idle-server.service and the generated idle-lend.service"
else
  skip "systemd-analyze is not installed: the unit files were not verified"
fi

"$IDLE" lend --uninstall-service >"$TMP/unservice.out" 2>&1 || fail "idle lend --uninstall-service"
[ ! -e "$UNIT" ] && [ ! -e "$pwfile" ] || fail "--uninstall-service left the unit or the password file"
ok "idle lend --uninstall-service removed the unit and the password file"

# --- the workbench --------------------------------------------------------------------------------
if command -v Xvfb >/dev/null 2>&1 && command -v xdotool >/dev/null 2>&1; then
  # -displayfd: Xvfb takes a free display itself and writes its number once it accepts clients.
  Xvfb -displayfd 5 -nolisten tcp -screen 0 1280x800x24 5>"$TMP/xvfb.display" >"$TMP/xvfb.out" 2>&1 &
  PIDS+=("$!")
  n="$(wait_for_line "$TMP/xvfb.display" '^[0-9]+$' 30 "Xvfb" "$!")"
  t=$(date +%s%N)
  DISPLAY=":$n" IDLE_PASSWORD=runner-password-1 "$IDLE" gui --server "$HOSTPORT" --user alice \
    "$TMP/hello.py" >"$TMP/gui.out" 2>"$TMP/gui.err" &
  GUI_PID=$!; PIDS+=("$GUI_PID")
  deadline=$(( $(date +%s) + 90 ))
  until DISPLAY=":$n" xdotool search --name "^IDLE — alice @" >/dev/null 2>&1; do
    kill -0 "$GUI_PID" 2>/dev/null || fail "the packaged workbench exited"
    [ "$(date +%s)" -lt "$deadline" ] || fail "the packaged workbench showed no logged-in window within 90 s"
    sleep 0.2
  done
  ok "the packaged workbench opened and logged in ($(ms_since "$t") ms)"
  if grep -E -q 'Exception|No SVG rasterizer' "$TMP/gui.err"; then
    fail "the workbench reported an error: $(grep -E -m 3 'Exception|No SVG rasterizer' "$TMP/gui.err")"
  fi
else
  skip "Xvfb or xdotool is not installed: the workbench was not opened"
fi

echo "test-packages: all $CHECKS checks passed; packaging took $PACKAGE_MS ms, everything $(ms_since "$T_START") ms"

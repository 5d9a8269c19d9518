#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a throwaway, unlocked gnome-keyring, so tests use a real
# Secret Service and can never touch the developer's own keychain. Passes the command's exit code through.
set -euo pipefail

if [ "${TEC_PRIVATE_KEYRING:-}" = "1" ]; then exec "$@"; fi

missing=()
for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "with-keyring: missing ${missing[*]} (Debian: apt-get install gnome-keyring dbus-x11)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  echo "with-keyring: running without a keyring; keychain tests will fail" >&2
  exec "$@"
fi

keyring_home=$(mktemp -d)
export keyring_home
cleanup() { rm -rf "$keyring_home"; }
trap cleanup EXIT

XDG_DATA_HOME="$keyring_home" XDG_RUNTIME_DIR="$keyring_home" dbus-run-session -- bash -c '
  set -u
  printf %s throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
         org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
      break
    fi
    sleep 0.1
  done
  # The daemon forks away from the shell, so $! is not its pid, and a search by command line can find another
  # run'"'"'s daemon on a shared machine. Our private bus knows exactly which process owns the Secret Service name.
  daemon=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null \
    | awk '"'"'/uint32/ { print $2 }'"'"' || true)
  TEC_PRIVATE_KEYRING=1 "$@"
  status=$?
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null
  exit $status
' with-keyring "$@"

#!/bin/sh
# deps.sh PKG...: installs the Debian packages that are missing. As root it
# runs apt-get; otherwise it prints the exact command to run and fails.
missing=""
for p in "$@"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "floorcoach: installing missing packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || apt-get update
    apt-get install -y -qq --no-install-recommends $missing >/dev/null || \
        apt-get install -y --no-install-recommends $missing || exit 1
    exit 0
fi
echo "floorcoach: these Debian packages are missing:$missing" >&2
echo "Install them with:" >&2
echo "    sudo apt-get install$missing" >&2
exit 1

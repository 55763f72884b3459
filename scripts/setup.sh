#!/usr/bin/env bash
# Installs what tpsweep needs on a fresh Debian machine, and nothing that is already there.
# Idempotent: a second run only checks.
set -euo pipefail

debs=(libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools libopenblas-dev zlib1g-dev pkg-config
      dataset-fashion-mnist shellcheck)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python side: the analysis package and the tests that read sweep files.
py_missing=()
for m in h5py pandas matplotlib pytest yaml; do
  python3 -c "import $m" 2>/dev/null || py_missing+=("$m")
done
if ((${#py_missing[@]})); then
  pkgs=()
  for m in "${py_missing[@]}"; do
    case "$m" in yaml) pkgs+=(PyYAML) ;; *) pkgs+=("$m") ;; esac
  done
  echo "setup: installing Python packages: ${pkgs[*]}"
  python3 -m pip install -q "${pkgs[@]}"
fi

# The analysis package of this checkout (analysis/, command `tpsweep-analysis`), editable, unless it
# is already importable from here.
analysis="$(cd "$(dirname "$0")/.." && pwd)/analysis"
if ! python3 -c "import sys, tpsweep_analysis as t; sys.exit(not t.__file__.startswith(sys.argv[1]))" \
    "$analysis/" 2>/dev/null; then
  echo "setup: installing the analysis package (pip install -e analysis)"
  python3 -m pip install -q --root-user-action=ignore -e "$analysis"
fi

#!/usr/bin/env bash
# Run the AWS SAM CLI from its own isolated virtualenv (.tools/sam), never from the
# functions' / dev environment (.venv): SAM pulls in packages that slow every import.
#
#   bash scripts/sam.sh validate --lint --template template.yaml
#   bash scripts/sam.sh build --template template.yaml --build-dir .aws-sam/build
#
# SAM always runs from the repo root, so relative paths in the arguments are relative to it.
# First run creates .tools/sam and installs the pinned SAM CLI (a few tens of seconds);
# later runs only compare a stamp file and exec SAM. Works offline except for the
# install itself (PyPI) and `sam build` (PyPI, for the layer's dependencies).
#
# Knobs (environment):
#   SAM_CLI_VERSION     pinned version (default below; change it here, not per call)
#   SAM_TOOLS_DIR       where the venv lives (default: <repo>/.tools/sam)
#   SAM_PYTHON          interpreter used to create the venv (default: python3)
#   SAM_BUILD_PYTHON    pyenv version that provides python3.12 for `sam build` (default: newest
#                       installed 3.12.x under $PYENV_ROOT; else whatever python3.12 is on PATH)
set -euo pipefail

SAM_CLI_VERSION="${SAM_CLI_VERSION:-1.170.0}"
BUILD_RUNTIME="python3.12" # Runtime of every function and BuildMethod of CoreLayer in template.yaml

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${SAM_TOOLS_DIR:-$ROOT/.tools/sam}"
STAMP="$VENV/.motcua-sam-stamp"
WANT="aws-sam-cli==$SAM_CLI_VERSION"

log() { printf 'sam.sh: %s\n' "$*" >&2; }

installed_ok() {
    # Cheap checks only (this runs on every call): the stamp names the wanted version, the
    # entry point exists and the venv's interpreter (a symlink to python3) still resolves.
    [[ -f "$STAMP" && "$(<"$STAMP")" == "$WANT" && -x "$VENV/bin/sam" && -x "$(readlink -f "$VENV/bin/python")" ]]
}

install_sam() {
    local py="${SAM_PYTHON:-python3}"
    if [[ -d "$VENV" ]] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        log "removing broken virtualenv $VENV"
        rm -rf "$VENV"
    fi
    if [[ ! -x "$VENV/bin/python" ]]; then
        log "creating virtualenv $VENV with $("$py" --version 2>&1) ($py)"
        mkdir -p "$(dirname "$VENV")"
        if ! "$py" -m venv "$VENV"; then
            rm -rf "$VENV"
            log "error: '$py -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
            exit 1
        fi
    fi
    rm -f "$STAMP"
    log "installing $WANT into $VENV"
    # uv resolves and installs SAM's ~60 dependencies much faster than pip.
    # Fall back to plain pip if uv cannot be had.
    if "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv >&2 \
        && "$VENV/bin/python" -m uv pip install --quiet --python "$VENV/bin/python" "$WANT" >&2; then
        :
    else
        log "uv failed; falling back to pip"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$WANT" >&2
    fi
    "$VENV/bin/sam" --version >&2
    printf '%s' "$WANT" >"$STAMP"
}

if ! installed_ok; then
    # Serialise concurrent first runs (e.g. pytest-xdist workers) on a lock file.
    mkdir -p "$(dirname "$VENV")"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$(dirname "$VENV")/.sam-install.lock"
        flock 9
    fi
    installed_ok || install_sam
    if command -v flock >/dev/null 2>&1; then
        flock -u 9
        exec 9>&-
    fi
fi

# ---------------------------------------------------------------- offline-friendly SAM settings
export SAM_CLI_TELEMETRY=0
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-ap-southeast-1}"
# No credentials are set on purpose: `validate --lint` (cfn-lint only) and `build` need none.
# Plain `sam validate` (SAM translator) needs none either as long as every managed policy named
# in the template is in the list bundled with aws-sam-translator or is written as a full ARN;
# an unknown name makes it call iam:ListPolicies, which needs real credentials and AWS.

# ---------------------------------------------------------------- python3.12 for `sam build`
# SAM's python builder looks up `python3.12` on PATH (the functions' runtime), checks its version and
# uses its pip to fetch the layer's dependencies (as manylinux aarch64 wheels for arm64). Put a real
# interpreter first on PATH rather than relying on the pyenv shim (which works only where a
# .python-version selects 3.12). No pyenv subprocess here: this runs on every call.
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
if [[ -n "${SAM_BUILD_PYTHON:-}" ]]; then
    py312_dir="$pyenv_root/versions/$SAM_BUILD_PYTHON/bin"
else
    py312_dir="$(printf '%s\n' "$pyenv_root"/versions/3.12*/bin/"$BUILD_RUNTIME" | sort -V | tail -n 1)"
    py312_dir="${py312_dir%/*}"
fi
if [[ -x "$py312_dir/$BUILD_RUNTIME" ]]; then
    export PATH="$py312_dir:$PATH"
fi

# The SAM subcommand: the first argument that is not an option (`sam --debug build ...`).
subcommand=""
for arg in "$@"; do
    if [[ "$arg" != -* ]]; then
        subcommand="$arg"
        break
    fi
done
if [[ "$subcommand" == "build" || "$subcommand" == "sync" ]] \
    && ! "$BUILD_RUNTIME" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then
    log "warning: no working $BUILD_RUNTIME on PATH; 'sam $subcommand' will fail for Runtime $BUILD_RUNTIME." \
        "Install Python 3.12 (e.g. 'pyenv install 3.12'; Debian 12 has no python3.12 package) or set SAM_BUILD_PYTHON."
fi

exec "$VENV/bin/sam" "$@"

#!/usr/bin/env bash
# Installs callbox as an appliance on Raspberry Pi OS / Debian bookworm (arm64, armhf,
# amd64), from the checkout this script lives in. Run as root (sudo, or su - first on a
# system without sudo); it installs python3 itself if it is missing:
#
#   ./install.sh                      install, or upgrade in place (config and data kept)
#   ./install.sh --uninstall          remove program, unit and udev rules; keep
#                                     /etc/callbox and /var/lib/callbox
#   ./install.sh --purge              remove those too, and the callbox user
#   ./install.sh --dry-run            print each step without doing it
#   ./install.sh --root DIR           lay the files out under DIR (packaging, tests):
#                                     no apt-get, useradd, systemctl or udevadm; what
#                                     they would do is written to DIR/opt/callbox/postinst.todo
#                                     (DIR/callbox-uninstall.todo for --uninstall)
#   --no-venv                         skip the virtualenv and what needs it (prompts, admin)
#   --admin NAME                      name of the first web admin (default: admin)
#   --admin-password -                read its password from the first line of stdin
#                                     (without a terminal, e.g. over ssh or from a script)
#
# Layout: program in /opt/callbox/venv, configuration /etc/callbox/callbox.toml (never
# overwritten: a new default goes beside it as callbox.toml.dist), state in
# /var/lib/callbox (owned by the callbox user), unit /etc/systemd/system/callbox.service,
# udev rules /etc/udev/rules.d/99-callbox.rules, voice prompts generated into the installed
# package (never into the checkout), the output of apt-get and pip in /opt/callbox/install.log.
set -euo pipefail

SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVICE_USER=callbox
DEB_PACKAGES=(python3 libpq5 python3-venv python3-dev gcc libasound2-dev alsa-utils espeak-ng sox
              libsox-fmt-all libspeexdsp1 udev usb-modeswitch uhubctl sqlite3 git openssl
              libjs-chart.js)
PYTHON=${PYTHON:-python3}
OS_RELEASE=${CALLBOX_OS_RELEASE:-/etc/os-release}

ROOT=""
MODE=install
DRY_RUN=0
NO_VENV=0
ADMIN_NAME=admin
ADMIN_PASSWORD=""
ADMIN_PASSWORD_GIVEN=0
FRESH_INSTALL=0
LOG_STARTED=0
APT_UPDATED=0

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

note() {
    echo "   $*"
}

step() {
    echo "== $*"
}

# Runs a command, or with --dry-run only shows it.
run() {
    if ((DRY_RUN)); then
        echo "   + $*"
    else
        "$@"
    fi
}

# A system command skipped under --root: recorded for whoever installs the tree.
system_command() {
    if [[ -n $ROOT ]]; then
        note "skipped under --root: $*"
        if ((! DRY_RUN)); then
            mkdir -p "$(dirname "$TODO")"
            echo "$*" >>"$TODO"
        fi
    else
        run "$@"
    fi
}

# Runs a command whose chatter (dpkg's progress lines, pip's build warnings) goes to
# $INSTALL_LOG instead of the screen; on failure the end of it is shown.
quietly() {
    if ((DRY_RUN)); then
        echo "   + $*"
        return
    fi
    if ((! LOG_STARTED)); then     # the log holds this run only
        mkdir -p "$(dirname "$INSTALL_LOG")"
        : >"$INSTALL_LOG"
        LOG_STARTED=1
    fi
    echo "+ $*" >>"$INSTALL_LOG"
    if ! "$@" >>"$INSTALL_LOG" 2>&1; then
        tail -n 25 "$INSTALL_LOG" | sed 's/^/   | /' >&2
        die "failed: $* (its whole output is in $INSTALL_LOG)"
    fi
}

# A system command (skipped under --root) run quietly.
quiet_system_command() {
    if [[ -n $ROOT ]]; then
        system_command "$@"
    else
        quietly "$@"
    fi
}

# The same, for a command whose failure does not stop the install (a unit already gone,
# udev not running in a container): the failure is shown and the install goes on.
tolerant_system_command() {
    system_command "$@" || note "failed, carrying on: $*"
}

parse_arguments() {
    while (($#)); do
        case $1 in
            --root) [[ $# -ge 2 ]] || die "--root needs a directory"
                    ROOT=$(realpath -m "$2"); shift ;;
            --root=*) ROOT=$(realpath -m "${1#--root=}") ;;
            --dry-run) DRY_RUN=1 ;;
            --uninstall) MODE=uninstall ;;
            --purge) MODE=purge ;;
            --no-venv) NO_VENV=1 ;;
            --admin) [[ $# -ge 2 ]] || die "--admin needs a name"
                     ADMIN_NAME=$2; shift ;;
            --admin-password) [[ $# -ge 2 && $2 == - ]] \
                    || die "--admin-password takes - (the password is the first line of stdin)"
                    ADMIN_PASSWORD_GIVEN=1; shift ;;
            -h|--help) usage; exit 0 ;;
            *) die "unknown option $1 (see --help)" ;;
        esac
        shift
    done
    if [[ $ROOT == / ]]; then
        ROOT=""
    fi
    PREFIX=$ROOT/opt/callbox
    VENV=$PREFIX/venv
    CONFIG_DIR=$ROOT/etc/callbox
    STATE_DIR=$ROOT/var/lib/callbox
    UNIT=$ROOT/etc/systemd/system/callbox.service
    RULES=$ROOT/etc/udev/rules.d/99-callbox.rules
    LINK=$ROOT/usr/local/bin/callbox
    INSTALL_LOG=$PREFIX/install.log
    # Under --root, the system commands left for whoever installs the tree.
    if [[ $MODE == install ]]; then
        TODO=$PREFIX/postinst.todo
    else
        TODO=$ROOT/callbox-uninstall.todo
    fi
}

check_system() {
    step "checking the system"
    [[ -r $OS_RELEASE ]] || die "unsupported system: no $OS_RELEASE (Debian or Raspberry Pi OS needed)"
    local id like
    id=$(. "$OS_RELEASE" && echo "${ID:-}")
    like=$(. "$OS_RELEASE" && echo "${ID_LIKE:-}")
    if [[ $id != debian && $id != raspbian && " $like " != *" debian "* ]]; then
        die "unsupported system: $id (this installer is for Debian and Raspberry Pi OS; install by hand from README.md)"
    fi
    if [[ -z $ROOT ]] && ((! DRY_RUN)) && [[ $(id -u) != 0 ]]; then
        die "run as root (sudo ./install.sh, or su - and then ./install.sh), or use --root DIR or --dry-run"
    fi
    if ! command -v "$PYTHON" >/dev/null; then
        install_python
        if ((DRY_RUN)); then
            note "$id, $(uname -m), Python to be installed"
            return
        fi
    fi
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "unsupported system: $("$PYTHON" -V 2>&1) is too old, callbox needs Python 3.11 or newer (Debian 12 bookworm)"
    note "$id, $("$PYTHON" -V 2>&1), $(uname -m)"
}

# A bare Debian has no python3, which the rest of this script needs before the other
# packages are installed.
install_python() {
    [[ -z $ROOT ]] || die "unsupported system: no $PYTHON (apt-get install python3 python3-venv)"
    step "installing python3 first (a bare system has none)"
    quietly apt-get update -qq
    APT_UPDATED=1
    quietly env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        python3 python3-venv
    ((DRY_RUN)) || command -v "$PYTHON" >/dev/null \
        || die "no $PYTHON even after installing python3 (is PYTHON set to another name?)"
}

install_packages() {
    step "installing Debian packages: ${DEB_PACKAGES[*]}"
    note "their output goes to $INSTALL_LOG"
    ((APT_UPDATED)) || quiet_system_command apt-get update -qq
    quiet_system_command env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${DEB_PACKAGES[@]}"
}

create_user() {
    step "system user $SERVICE_USER (groups dialout, audio)"
    if [[ -z $ROOT ]] && id "$SERVICE_USER" >/dev/null 2>&1; then
        run usermod --append --groups dialout,audio "$SERVICE_USER"
    else
        system_command useradd --system --user-group --groups dialout,audio \
            --home-dir /var/lib/callbox --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    fi
}

# Copies the checkout to a temporary folder so that building never writes into it.
# The checkout's own prompts (`make prompts` of a developer) stay out of the package:
# without their manifest the generator would take them for an admin's recordings.
install_program() {
    if ((NO_VENV)); then
        step "virtualenv $VENV: skipped (--no-venv)"
        return
    fi
    step "virtualenv $VENV with callbox from $SOURCE_DIR"
    run mkdir -p "$PREFIX"
    if [[ -x $VENV/bin/python ]] && ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        note "the old virtualenv does not run (Python upgraded?): making a new one"
        run rm -rf "$VENV"
    fi
    if [[ ! -x $VENV/bin/python ]]; then
        run "$PYTHON" -m venv "$VENV"
    fi
    local build
    build=$(mktemp -d)
    # shellcheck disable=SC2064  # the folder is known now
    trap "rm -rf '$build'" EXIT
    run tar -C "$SOURCE_DIR" --exclude=.venv --exclude=.git --exclude=build \
        --exclude='*.egg-info' --exclude=__pycache__ --exclude=.pytest_cache \
        --exclude=tests --exclude=audio/prompts --exclude=audio/phrases -cf "$build/source.tar" .
    run mkdir -p "$build/source"
    run tar -C "$build/source" -xf "$build/source.tar"
    # --use-pep517: the pip of Debian 12's venv builds pyalsaaudio (no wheel for ARM) the
    # legacy way otherwise, with a deprecation warning on every fresh install.
    note "pip's output goes to $INSTALL_LOG"
    quietly "$VENV/bin/pip" install --quiet --disable-pip-version-check --use-pep517 \
        "$build/source"
    # Same version number on an upgrade: force the new code in, dependencies untouched.
    # Prompts generated into the package are not in pip's record of it: they stay.
    quietly "$VENV/bin/pip" install --quiet --disable-pip-version-check --use-pep517 --no-deps \
        --force-reinstall "$build/source"
    run mkdir -p "$(dirname "$LINK")"
    run ln -sfn /opt/callbox/venv/bin/callbox "$LINK"
}

install_config() {
    step "configuration $CONFIG_DIR/callbox.toml"
    run mkdir -p "$CONFIG_DIR"
    if [[ -e $CONFIG_DIR/callbox.toml ]]; then
        note "kept; the new default is written beside it as callbox.toml.dist"
        run install -m 0640 "$SOURCE_DIR/config/callbox.toml" "$CONFIG_DIR/callbox.toml.dist"
    else
        FRESH_INSTALL=1
        run install -m 0640 "$SOURCE_DIR/config/callbox.toml" "$CONFIG_DIR/callbox.toml"
    fi
    # The file may hold SIM PINs and a database password: readable by callbox, not by all.
    if [[ -z $ROOT ]]; then
        run chown root:"$SERVICE_USER" "$CONFIG_DIR" "$CONFIG_DIR/callbox.toml"
        run chmod 0750 "$CONFIG_DIR"
    else
        system_command chown root:"$SERVICE_USER" /etc/callbox /etc/callbox/callbox.toml
    fi
}

make_state_dir() {
    step "state $STATE_DIR (owned by $SERVICE_USER)"
    run mkdir -p "$STATE_DIR"
    run chmod 0750 "$STATE_DIR"
    if [[ -z $ROOT ]]; then
        run chown "$SERVICE_USER:$SERVICE_USER" "$STATE_DIR"
    else
        system_command chown "$SERVICE_USER:$SERVICE_USER" /var/lib/callbox
    fi
}

generate_prompts() {
    if ((NO_VENV)); then
        step "voice prompts: skipped (--no-venv)"
        return
    fi
    step "voice prompts (espeak-ng, sox) into the installed package"
    # -I: run from inside the checkout, a plain `python -m audio.prompts` imports the
    # checkout's module (the current folder comes first on sys.path) and writes the WAVs
    # there, and the installed box is mute.
    run "$VENV/bin/python" -I -m audio.prompts \
        || echo "install.sh: WARNING: some prompts failed (is espeak-ng installed?); the box" \
                "will not start without them; run again: $VENV/bin/python -I -m audio.prompts" >&2
    # the phrases of 1 to 60 minutes, said by every call, made ahead (others at run time)
    run "$VENV/bin/python" -I -m audio.phrases \
        || echo "install.sh: WARNING: duration phrases not made ahead; the box makes them" \
                "when first said" >&2
}

install_units() {
    step "systemd unit $UNIT and udev rules $RULES"
    run install -D -m 0644 "$SOURCE_DIR/systemd/callbox.service" "$UNIT"
    run install -D -m 0644 "$SOURCE_DIR/config/99-callbox.rules" "$RULES"
    if [[ -z $ROOT && ! -d /run/systemd/system ]]; then
        note "systemd is not running here: enable later with systemctl enable callbox"
        return
    fi
    tolerant_system_command udevadm control --reload
    tolerant_system_command udevadm trigger --subsystem-match=tty --subsystem-match=sound
    system_command systemctl daemon-reload
    system_command systemctl enable callbox.service
    # On an upgrade, a running daemon picks up the new program; a stopped one stays stopped.
    tolerant_system_command systemctl try-restart callbox.service
}

create_admin() {
    step "first web admin"
    # runuser, not sudo: a minimal Debian has no sudo, and root has runuser.
    local later="runuser -u $SERVICE_USER -- callbox user add $ADMIN_NAME --admin"
    if ((FRESH_INSTALL == 0)); then
        note "an upgrade: the users are kept (add one as root with: $later)"
        return
    fi
    if ((NO_VENV)) || [[ -n $ROOT ]]; then
        note "skipped: after installing, as root run  $later"
        note "(it asks for the password; without a terminal add --password - and write it to stdin)"
        return
    fi
    # As the service user, so that a database it creates belongs to the daemon.
    local add=(runuser -u "$SERVICE_USER" -- "$VENV/bin/callbox" user add "$ADMIN_NAME" --admin
               --config /etc/callbox/callbox.toml)
    if ((ADMIN_PASSWORD_GIVEN)); then
        add+=(--password -)
    fi
    if ((DRY_RUN)); then
        run "${add[@]}"
        return
    fi
    if ! "$VENV/bin/callbox" user --help >/dev/null 2>&1; then
        note "skipped: this callbox has no 'user' command yet; create the admin when it does"
        return
    fi
    if ((ADMIN_PASSWORD_GIVEN)); then
        printf '%s\n' "$ADMIN_PASSWORD" | "${add[@]}" \
            || note "the admin was not created; as root run  $later"
    elif [[ -t 0 ]]; then
        "${add[@]}" || note "the admin was not created; as root run  $later"
    else
        note "no terminal to ask a password on: install with --admin-password - and the"
        note "password on stdin, or as root run  $later --password -  (password on stdin)"
    fi
}

remove_all() {
    step "removing the program, unit and udev rules"
    if [[ -z $ROOT && -d /run/systemd/system ]] || [[ -n $ROOT ]]; then
        tolerant_system_command systemctl disable --now callbox.service
    fi
    run rm -f "$UNIT" "$RULES" "$LINK"
    run rm -rf "$PREFIX"
    if [[ -z $ROOT && -d /run/systemd/system ]] || [[ -n $ROOT ]]; then
        system_command systemctl daemon-reload
        tolerant_system_command udevadm control --reload
    fi
    if [[ $MODE == purge ]]; then
        step "purging configuration, data and the $SERVICE_USER user"
        run rm -rf "$CONFIG_DIR" "$STATE_DIR"
        if [[ -n $ROOT ]] || id "$SERVICE_USER" >/dev/null 2>&1; then
            tolerant_system_command userdel "$SERVICE_USER"
        fi
    else
        note "kept: $CONFIG_DIR and $STATE_DIR (remove them with --purge)"
    fi
}

# ---- HTTPS for the web UI ---------------------------------------------------------------
# A self-signed certificate in /etc/callbox/tls (kept on upgrades), and on a fresh install
# the [web] keys that serve HTTPS on 8443 with plain HTTP on 8080 redirecting to it. A real
# certificate replaces the two files, or [web] tls_cert/tls_key point at it (README, HTTPS).
TLS_DAYS=3650

make_tls_certificate() {
    local dir=$CONFIG_DIR/tls
    step "HTTPS certificate $dir (self-signed)"
    if [[ -s $dir/callbox.crt && -s $dir/callbox.key ]]; then
        note "kept: $dir/callbox.crt and callbox.key"
    else
        command -v openssl >/dev/null || ((DRY_RUN)) \
            || die "openssl is missing (apt-get install openssl)"
        local name names address output
        name=$(hostname 2>/dev/null || echo callbox)
        names="DNS:$name,DNS:$name.local,DNS:localhost,IP:127.0.0.1"
        for address in $(hostname -I 2>/dev/null || true); do
            [[ $address == *:* ]] || names+=",IP:$address"
        done
        local request=(req -x509 -newkey rsa:2048 -nodes -sha256 -days "$TLS_DAYS"
                       -subj "/CN=$name" -addext "subjectAltName=$names"
                       -keyout "$dir/callbox.key" -out "$dir/callbox.crt")
        run mkdir -p "$dir"
        if ((DRY_RUN)); then
            run openssl "${request[@]}"
        else
            output=$(umask 077 && openssl "${request[@]}" 2>&1) \
                || die "openssl could not make the certificate: $output"
        fi
        run chmod 0750 "$dir"
        run chmod 0640 "$dir/callbox.key"
        run chmod 0644 "$dir/callbox.crt"
    fi
    # The key is for the daemon's eyes only: root owns it, the callbox group reads it.
    if [[ -z $ROOT ]]; then
        run chown root:"$SERVICE_USER" "$dir" "$dir/callbox.key"
    else
        system_command chown root:"$SERVICE_USER" /etc/callbox/tls /etc/callbox/tls/callbox.key
    fi
    if ((FRESH_INSTALL)); then
        note "serving HTTPS on port 8443; plain HTTP on 8080 redirects there"
        run sed -i -e '/^\[web\]/,/^\[/{' \
            -e 's|^listen = "0.0.0.0:8080"|listen = "0.0.0.0:8443"|' \
            -e 's|^tls_cert = ""|tls_cert = "/etc/callbox/tls/callbox.crt"|' \
            -e 's|^tls_key = ""|tls_key = "/etc/callbox/tls/callbox.key"|' \
            -e 's|^redirect_listen = ""|redirect_listen = "0.0.0.0:8080"|' \
            -e '}' "$CONFIG_DIR/callbox.toml"
    else
        note "an upgrade: callbox.toml kept; for HTTPS set in [web]:"
        note "  tls_cert = \"/etc/callbox/tls/callbox.crt\", tls_key = \"/etc/callbox/tls/callbox.key\""
    fi
}
# ---- end of HTTPS ------------------------------------------------------------------------

install_all() {
    install_packages
    create_user
    install_program
    install_config
    make_tls_certificate
    make_state_dir
    generate_prompts
    install_units
    create_admin
    step "done"
    if [[ -z $ROOT ]]; then
        note "edit /etc/callbox/callbox.toml ([[modem]] tables), check it with"
        note "  callbox config check /etc/callbox/callbox.toml"
        note "then: systemctl restart callbox && callbox status"
    fi
}

# Takes the admin's password off stdin before apt-get or pip could read from it.
read_admin_password() {
    ((ADMIN_PASSWORD_GIVEN)) || return 0
    IFS= read -r ADMIN_PASSWORD || true
    ADMIN_PASSWORD=${ADMIN_PASSWORD%$'\r'}
    [[ -n $ADMIN_PASSWORD ]] || die "--admin-password -: the first line of stdin is empty"
}

main() {
    parse_arguments "$@"
    read_admin_password
    check_system
    if ((DRY_RUN)); then
        note "dry run: nothing is changed"
    elif [[ -n $ROOT ]]; then
        rm -f "$TODO"
    fi
    if [[ $MODE == install ]]; then
        install_all
    else
        remove_all
    fi
}

main "$@"

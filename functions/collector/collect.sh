#!/bin/bash
# eks-kubelet-audit node collector.
#
# Prints ONE compact JSON document (functions/collector/evidence-schema.ts) describing the host's
# kubelet: its exact argv, working directory, the files it is configured from and OS facts. It
# collects facts; the TypeScript evaluator judges them.
#
# DISCLOSURE RULE. The output is readable for 30 days by anyone allowed ssm:GetCommandInvocation /
# ssm:ListCommandInvocations, so it carries only what the kubelet reads for its configuration:
#   - argv, ppid, uid, cgroup, cwd and start/CPU times of each ROOT process whose argv[0] is kubelet;
#     other processes named kubelet only as pid, argv[0] and why they were rejected;
#   - CONTENT of: the --config file; each *.conf entry of a --config-dir walk (filepath.WalkDir, as
#     the kubelet reads them: a *.conf symlink is followed);
#   - REDUCED content of: the kubelet unit and its drop-ins (section headers, ExecStart= lines,
#     EnvironmentFile= lines, and only those Environment= assignments whose variable an ExecStart=
#     references as $VAR or ${VAR}); environment files (EnvironmentFile= targets and nodeadm's
#     /etc/eks/kubelet/environment: only assignments of variables an ExecStart= references);
#     os-release (NAME, ID, VERSION, VERSION_ID, PRETTY_NAME, VARIANT_ID);
#   - host name, uptime and the time of collection;
#   - for everything else in a --config-dir, the --kubeconfig file and the client CA files
#     (--client-ca-file and each clientCAFile value in the shipped config texts): path, size, mode,
#     uid, gid, type, symlink target and the link's own mode/owner, marked "redacted", never opened;
#   - the first line of the kubelet binary's --version (only "Kubernetes v..."), run only when it is
#     a root-owned executable writable by no one else, outside /proc, /sys, /dev, /tmp, /var/tmp and
#     world-writable directories;
#   - in Bottlerocket's control container only: apiclient's CIS Kubernetes report reduced to each
#     check's id, status, title, mode and (automatic checks only) bloodhound's error text, and from
#     settings.kubernetes only the values of
#     BR_SETTINGS (no certificate, key, token or endpoint), and which BR_SECRETS are set.
# Nothing under /proc, /sys or /dev (after resolving symlinks inside HOST_ROOT) is read as a file, and
# nothing but a regular file is opened: the type is checked first, every read is bounded in bytes and
# time (timeout + head), and a file whose type or device:inode changed during the read is discarded.
# The whole run stops collecting after TIME_BUDGET seconds and still prints a valid document, and
# TOTAL_CAP bounds everything variable in it (contents, argv, file entries, listings, rejections).
#
# Runs as root under bash >= 4.2 (Amazon Linux 2) with coreutils only: no ps, systemctl, find, grep,
# sed, awk or jq, so that it works the same on any node and inside a container that mounts the host.
# The host is read ONLY through files under ${HOST_ROOT} (empty = this machine), which also makes a
# simulated node a plain directory tree (test/sim/node-tree.ts).
#
# Environment:
#   HOST_ROOT               where the host's / is mounted. Unset inside Bottlerocket's admin container
#                           means /.bottlerocket/rootfs.
#   KUBELET_AUDIT_ENCODING  "plain" always prints the plain document. By default the compact envelope
#                           (gzip + Z85, see emit) is printed instead whenever it is shorter. "both"
#                           (for tests) prints the plain document, then the compact one of the same run.
#   KUBELET_AUDIT_TIME_BUDGET  seconds of collection (default and maximum 20; tests set 0 to see a
#                           run stop early).
#
# Exit status is 0 whenever a document was printed; problems are reported inside it ("errors").

# The C locale makes globs sort byte-wise (Go's os.ReadDir order) and makes every byte one character.
export LC_ALL=C
set -o pipefail
# bash >= 5.2 would otherwise treat "&" in ${var//pattern/replacement} specially.
shopt -u patsub_replacement 2>/dev/null
shopt -s nullglob dotglob

readonly COLLECTOR='eks-kubelet-audit collect.sh 1'
# Size limits, in characters of the printed (escaped) JSON. SSM returns 24,000 characters of stdout
# (GetCommandInvocation) and 2,500 inline (ListCommandInvocations); the compact envelope serves the latter.
readonly FILE_CAP=8000        # content of one file
readonly REDUCED_CAP=4000     # reduced content of one unit, drop-in or environment file
readonly READ_CAP=1048576     # bytes of a unit or environment file examined for its reduction
readonly MAX_LINES=2000       # lines of a unit or environment file examined
readonly MAX_WORD_LINE=8192   # longest Environment= line split into words
readonly OS_RELEASE_KEYS=$'\nNAME\nID\nVERSION\nVERSION_ID\nPRETTY_NAME\nVARIANT_ID\n'
# A glob matching text with a byte other than printable ASCII, tab, LF or CR (a variable, so that the
# range in the bracket stays a range).
readonly NONTEXT=$'*[!\t\n\r -~]*'
readonly TOTAL_CAP=17000      # everything variable: contents, argv, file entries, listings, rejections
readonly ERROR_CAP=2000       # all error messages together (they have their own share)
readonly ENTRY_COST=120       # charged per file entry for its metadata, besides its path
readonly CONTENT_RESERVE=2000 # of the budget, kept from contents for the entries after them
# Seconds of collection; the SSM document's timeout is 60. Lowering it is allowed, raising it is not.
TIME_BUDGET=20
[[ $KUBELET_AUDIT_TIME_BUDGET =~ ^[0-9]{1,2}$ ]] && ((10#$KUBELET_AUDIT_TIME_BUDGET < TIME_BUDGET)) &&
  TIME_BUDGET=$((10#$KUBELET_AUDIT_TIME_BUDGET))
readonly TIME_BUDGET
readonly READ_TIMEOUT=2       # seconds for one file read (a FIFO swapped in would block forever)
readonly ARG_CAP=4096         # one argv element
readonly ARGV_CAP=6000        # one kubelet's whole argv
readonly MAX_ARGS=512
readonly MAX_KUBELETS=8
readonly MAX_REJECTED=64
readonly MAX_FILES=128
readonly MAX_ERRORS=60
readonly MAX_PATHS_PER_FLAG=4 # distinct --config / --config-dir values kept per kubelet
readonly MAX_DIR_DEPTH=8
readonly API_CAP=65536        # bytes of one apiclient answer examined
readonly MAX_CHECKS=64        # checks of the Bottlerocket CIS report kept
# settings.kubernetes keys shipped: those the kubelet settings judged by CIS EKS section 3 are
# rendered from (core-kit packages/kubernetes-1.3x/kubelet-config and kubelet-exec-start-conf).
readonly BR_SETTINGS='standalone-mode authentication-mode event-qps server-tls-bootstrap'
# Set or not, never their values: with both, the kubelet uses them instead of serverTLSBootstrap.
readonly BR_SECRETS='server-certificate server-key'
readonly CLK_TCK=100          # USER_HZ: 100 on every Linux architecture EKS runs (x86_64, arm64)
# Z85 (ZeroMQ RFC 32): 4 bytes in 5 characters, with no quote or backslash, so the text is JSON-safe.
readonly Z85='0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#'

BUDGET=$TOTAL_CAP
ERROR_BUDGET=$ERROR_CAP
DOC_CUT=false
TIMED_OUT=false
# Variables an ExecStart= of the kubelet unit references, "\nNAME\n" each (see collect_units).
REFS=$'\n'
TIMEOUT=timeout
command -v timeout >/dev/null 2>&1 || TIMEOUT=''
declare -A LOADED=() LOADED_AT=() LOADED_N=() LOADED_CUT=()
ALL_LINES=()
ERRORS=()
KUBELETS=()
REJECTED=()
CONFIG_DIRS=()
# Files: parallel arrays indexed by entry number; FILE_AT maps a host path to its entry.
FILE_PATHS=()
FILE_ROLES=()
FILE_PID=()
FILE_BODY=()
declare -A FILE_AT=()
declare -A FILE_REAL=()
HOST_NOTE=''
HOST_VISIBLE=true
BOTTLEROCKET=''
CA_CANDS=()

# ----------------------------------------------------------------------------------------------
# JSON helpers. Results come back in REPLY: command substitution would fork once per string.
# ----------------------------------------------------------------------------------------------

# json_str STRING: REPLY = STRING as a JSON string literal. Output stays ASCII because SSM cuts
# output by bytes: \ " tab CR LF get short escapes and every other byte outside printable ASCII
# becomes \u00XX, one per byte (non-ASCII UTF-8 thus reads as Latin-1; kubelet arguments, paths
# and cgroups are ASCII in practice, and file contents that are not use the base64 encoding).
json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  if [[ $s == *[!\ -~]* ]]; then
    s=${s//$'\t'/\\t}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    if [[ $s == *[!\ -~]* ]]; then
      local out='' c code i
      for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [[ $c == [\ -~] ]]; then
          out+=$c
        else
          printf -v code '\\u%04x' "'$c"
          out+=$code
        fi
      done
      s=$out
    fi
  fi
  REPLY="\"$s\""
}

# json_arr ITEM...: REPLY = the items (already JSON) joined into an array.
json_arr() {
  local IFS=,
  REPLY="[$*]"
}

add_error() {
  ((${#ERRORS[@]} < MAX_ERRORS)) || return 0
  json_str "${1:0:300}"
  ((${#REPLY} + 1 <= ERROR_BUDGET)) || return 0
  ((ERROR_BUDGET -= ${#REPLY} + 1))
  ERRORS+=("$REPLY")
}

# spend N: takes N characters from the total budget, or returns 1 (and marks the document cut).
spend() {
  if (($1 > BUDGET)); then
    DOC_CUT=true
    return 1
  fi
  ((BUDGET -= $1))
}

# out_of_time: true once the run has used its TIME_BUDGET; records why the first time.
out_of_time() {
  ((SECONDS < TIME_BUDGET)) && return 1
  if [[ $TIMED_OUT == false ]]; then
    TIMED_OUT=true
    DOC_CUT=true
    add_error "time budget of ${TIME_BUDGET}s spent: collection stopped early"
  fi
  return 0
}

# is_uint VALUE: true for a plain non-negative integer (safe to print as a JSON number).
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# ticks_to_seconds TICKS: REPLY = TICKS/CLK_TCK with two decimals, a valid JSON number.
ticks_to_seconds() {
  printf -v REPLY '%d.%02d' $(($1 / CLK_TCK)) $((($1 % CLK_TCK) * 100 / CLK_TCK))
}

# ----------------------------------------------------------------------------------------------
# Host paths
# ----------------------------------------------------------------------------------------------

# resolve_host PATH [nofollow]: REPLY = PATH with every symlink resolved INSIDE ${HOST_ROOT}.
# A plain `cat $HOST_ROOT/path` would follow an absolute link such as /etc/x -> /usr/lib/x out of
# the mounted host into the collector's own filesystem. With "nofollow" the last component is not
# followed (lstat semantics). Returns 1 with the reason in REPLY on a link loop.
resolve_host() {
  local rest=$1 nofollow=$2 done_='' comp target hops=0
  [[ $rest == /* ]] || rest=/$rest
  while [[ -n $rest ]]; do
    while [[ $rest == /* ]]; do rest=${rest#/}; done
    [[ -z $rest ]] && break
    comp=${rest%%/*}
    if [[ $rest == */* ]]; then rest=/${rest#*/}; else rest=''; fi
    case $comp in
      .) continue ;;
      ..) done_=${done_%/*}; continue ;;
    esac
    if [[ -L $HOST_ROOT$done_/$comp && ! (-z $rest && -n $nofollow) ]]; then
      if ((++hops > 40)); then
        REPLY='too many levels of symbolic links'
        return 1
      fi
      target=$(readlink -- "$HOST_ROOT$done_/$comp") || { REPLY='unreadable symbolic link'; return 1; }
      if [[ $target == /* ]]; then
        done_=''
        rest=$target$rest
      else
        rest=/$target$rest
      fi
    else
      done_=$done_/$comp
    fi
  done
  REPLY=${done_:-/}
}

# host_join DIR PATH: REPLY = PATH if absolute, else DIR/PATH (how the kernel resolves a relative
# path against a process's working directory). No further cleaning, so the evaluator can repeat it.
host_join() {
  if [[ $2 == /* ]]; then
    REPLY=$2
  elif [[ $1 == / ]]; then
    REPLY=/$2
  else
    REPLY=$1/$2
  fi
}

# ----------------------------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------------------------

# add_role INDEX ROLE: adds ROLE to an already recorded file (a path can have several roles).
add_role() {
  case ",${FILE_ROLES[$1]}," in
    *",$2,"*) ;;
    *) FILE_ROLES[$1]+=",$2" ;;
  esac
}

# add_file PATH ROLE PID HOW: records the file at host PATH. HOW is what the disclosure rule (see the
# header) lets out of it: "content" (up to FILE_CAP), "unit" / "env" / "os" (the reduced lines) or
# "redact" (metadata only, never opened). The entry's path and metadata are charged to the budget.
add_file() {
  local path=$1 role=$2 pid=$3 how=$4 idx
  if [[ -n ${FILE_AT[$path]} ]]; then
    add_role "${FILE_AT[$path]}" "$role"
    return 0
  fi
  out_of_time && return 0
  if ((${#FILE_PATHS[@]} >= MAX_FILES)); then
    DOC_CUT=true
    add_error "more than $MAX_FILES files: left out $path"
    return 0
  fi
  json_str "$path"
  if ! spend $((${#REPLY} + ENTRY_COST)); then
    add_error "left out $path: the total output cap was reached"
    return 0
  fi
  idx=${#FILE_PATHS[@]}
  FILE_AT[$path]=$idx
  FILE_PATHS[idx]=$path
  FILE_ROLES[idx]=$role
  FILE_PID[idx]=$pid
  CONTENT_LEN=0
  file_body "$path" "$how"
  # Metadata beyond ENTRY_COST (a long symlink target, an error) is charged too.
  if ! spend $((${#BODY} - CONTENT_LEN > ENTRY_COST ? ${#BODY} - CONTENT_LEN - ENTRY_COST : 0)); then
    BODY='"ok":false,"error":"left out: the total output cap was reached","cut":true'
  fi
  FILE_BODY[idx]=$BODY
  [[ $how == content && -n $F_TEXT ]] && ca_scan "$F_TEXT" "$path"
  return 0
}

# pseudo_fs PATH: true for a host path on /proc, /sys or /dev, which no configuration file is: reading
# one would disclose process environments or kernel state, or never end (/dev/zero).
pseudo_fs() {
  case $1 in
    /proc | /proc/* | /sys | /sys/* | /dev | /dev/*) return 0 ;;
  esac
  return 1
}

# inspect PATH: F_REAL = where host PATH resolves under HOST_ROOT, F_META = its metadata as JSON
# members, F_ID = "device:inode type" for the check after reading. Returns 1 with F_ERR (JSON
# members) when it must not or cannot be read: no regular file is ever opened before this.
inspect() {
  local path=$1 st target link=''
  F_ERR='' F_META='' F_ID=''
  [[ $2 == meta ]] && link_meta "$path" && link=$REPLY
  if ! resolve_host "$path"; then
    json_str "$REPLY"
    F_ERR="\"ok\":false,\"error\":$REPLY"
    return 1
  fi
  F_REAL=$HOST_ROOT$REPLY
  if pseudo_fs "$path" || pseudo_fs "$REPLY"; then
    F_ERR='"ok":false,"error":"refused: on /proc, /sys or /dev, not read"'
    return 1
  fi
  if [[ -L $HOST_ROOT$path ]] && target=$(readlink -- "$HOST_ROOT$path" 2>/dev/null); then
    json_str "${target:0:256}"
    target=",\"target\":$REPLY"
  fi
  target+=$link
  if [[ ! -e $F_REAL && ! -L $F_REAL ]]; then
    if [[ -n $target ]]; then
      F_ERR="\"ok\":false,\"error\":\"not found (dangling symbolic link)\",\"type\":\"symlink\"$target"
    else
      F_ERR='"ok":false,"error":"not found"'
    fi
    return 1
  fi
  # No -L: the path is resolved already, so a link here was swapped in after resolve_host.
  if ! st=$(stat -c '%s %a %u %g %d:%i %F' -- "$F_REAL" 2>/dev/null); then
    F_ERR='"ok":false,"error":"stat failed"'
    return 1
  fi
  local -a f=($st)
  local mode=000${f[1]} type
  case ${f[*]:5} in
    'regular file' | 'regular empty file') type=file ;;
    directory) type=directory ;;
    'symbolic link') type=symlink ;;
    fifo) type=fifo ;;
    socket) type=socket ;;
    'character special file') type=char-device ;;
    'block special file') type=block-device ;;
    *) type=other ;;
  esac
  F_ID="${f[4]} $type"
  F_META="\"size\":${f[0]},\"mode\":\"${mode: -4}\",\"uid\":${f[2]},\"gid\":${f[3]},\"type\":\"$type\"$target"
  if [[ $type != file ]]; then
    F_ERR="\"ok\":false,\"error\":\"not a regular file ($type)\",$F_META"
    return 1
  fi
  if [[ ! -r $F_REAL ]]; then
    F_ERR="\"ok\":false,\"error\":\"permission denied\",$F_META"
    return 1
  fi
  F_SIZE=${f[0]}
}

# link_meta PATH: REPLY = ',"link":{mode,uid,gid}' from an lstat of host PATH when it is a symbolic
# link (the file controls judge what the kubelet opens, the target, and show the link itself too),
# else returns 1. Only stat: nothing is opened, so a link into /dev or to a FIFO is harmless here.
link_meta() {
  local st
  resolve_host "$1" nofollow || return 1
  [[ -L $HOST_ROOT$REPLY ]] || return 1
  st=$(stat -c '%a %u %g' -- "$HOST_ROOT$REPLY" 2>/dev/null) || return 1
  local -a f=($st)
  local m=000${f[0]}
  REPLY=",\"link\":{\"mode\":\"${m: -4}\",\"uid\":${f[1]},\"gid\":${f[2]}}"
}

# unchanged: true when F_REAL still is the regular file inspect saw. A swap between the stat and the
# read (to a FIFO, a device, another file) is caught here and the content thrown away.
unchanged() {
  local st
  st=$(stat -c '%d:%i %F' -- "$F_REAL" 2>/dev/null) || return 1
  [[ ${st%% *} == "${F_ID%% *}" && ${st#* } == 'regular '* ]]
}

# read_text CAP: F_TEXT = up to CAP bytes of F_REAL, NUL bytes as \001 (a bash variable cannot hold
# NUL), through a child that is killed after READ_TIMEOUT seconds. Returns 1 on a failed read.
read_text() {
  F_TEXT=$($TIMEOUT ${TIMEOUT:+$READ_TIMEOUT} head -c "$1" -- "$F_REAL" 2>/dev/null | tr '\0' '\1' && printf x) ||
    return 1
  [[ $F_TEXT == *x ]] || return 1
  F_TEXT=${F_TEXT%x}
  unchanged
}

# file_body PATH HOW: BODY = the JSON members describing the file (without path/roles/pid).
file_body() {
  local path=$1 how=$2
  F_TEXT=''
  if ! inspect "$path" "$how"; then
    BODY=$F_ERR
    return
  fi
  if [[ $how == redact || $how == meta ]]; then
    BODY="\"ok\":true,$F_META,\"redacted\":true"
    return
  fi
  if [[ $how == content ]]; then
    content_body
  else
    reduced_body "$path" "$how"
  fi
}

# content_body: BODY for a file whose content leaves the node (up to FILE_CAP and the budget).
content_body() {
  local cap=$FILE_CAP cut=false content
  # Contents leave CONTENT_RESERVE of the budget to the entries (paths, metadata) that follow.
  ((cap > BUDGET - CONTENT_RESERVE)) && cap=$((BUDGET - CONTENT_RESERVE))
  # Never negative: "head -c -N" would read all but the last N bytes, without bound.
  ((cap < 0)) && cap=0
  if ((cap < 64 && F_SIZE > 0)); then
    DOC_CUT=true
    BODY="\"ok\":false,\"error\":\"left out: the total output cap was reached\",$F_META,\"cut\":true"
    return
  fi
  if ! read_text "$cap"; then
    BODY="\"ok\":false,\"error\":\"read failed, timed out or the file changed while read: content discarded\",$F_META"
    return
  fi
  # Text when the part we keep has only printable ASCII, tab, LF and CR; anything else (NUL,
  # UTF-8, escape codes) is kept byte-exact as base64.
  if [[ $F_TEXT != $NONTEXT ]]; then
    content=$F_TEXT
    ((${#content} < F_SIZE)) && cut=true
    json_str "$content"
    # Each raw character removed shortens the escaped form by at least one, so one pass suffices.
    if ((${#REPLY} - 2 > cap)); then
      content=${content:0:$((${#content} - (${#REPLY} - 2 - cap)))}
      cut=true
      json_str "$content"
    fi
    BODY="\"ok\":true,$F_META,\"encoding\":\"text\",\"content\":$REPLY"
  else
    local bytes=$((cap / 4 * 3))
    content=$($TIMEOUT ${TIMEOUT:+$READ_TIMEOUT} head -c "$bytes" -- "$F_REAL" 2>/dev/null | base64 -w 0) && unchanged || {
      BODY="\"ok\":false,\"error\":\"read failed, timed out or the file changed while read: content discarded\",$F_META"
      return
    }
    ((F_SIZE > bytes)) && cut=true
    REPLY="\"$content\""
    BODY="\"ok\":true,$F_META,\"encoding\":\"base64\",\"content\":$REPLY"
  fi
  ((BUDGET -= ${#REPLY} - 2))
  CONTENT_LEN=$((${#REPLY} - 2))
  [[ $cut == true ]] && BODY+=',"cut":true'
  [[ $cut == true && $cap -lt $FILE_CAP ]] && DOC_CUT=true
}

# load_lines PATH: LINES = the first MAX_LINES lines of the regular file at host PATH (CR dropped),
# with L_CUT=true when the file is longer than what was examined; cached per path, as a unit file
# is read once for its ExecStart= references and once for its reduction. Returns 1 (BODY set) when
# it cannot be read.
load_lines() {
  local path=$1 n
  if [[ -n ${LOADED[$path]} ]]; then
    BODY=${LOADED[$path]}
    [[ $BODY == '"ok":false'* ]] && return 1
    LINES=("${ALL_LINES[@]:${LOADED_AT[$path]}:${LOADED_N[$path]}}")
    L_CUT=${LOADED_CUT[$path]}
    return 0
  fi
  if inspect "$path" && read_text "$READ_CAP"; then
    L_CUT=false
    ((F_SIZE > READ_CAP)) && L_CUT=true
    mapfile -t -n "$MAX_LINES" LINES < <(printf '%s' "$F_TEXT")
    n=${#LINES[@]}
    ((n >= MAX_LINES)) && L_CUT=true
    LINES=("${LINES[@]%$'\r'}")
    BODY="\"ok\":true,$F_META"
    LOADED_AT[$path]=${#ALL_LINES[@]}
    LOADED_N[$path]=$n
    ALL_LINES+=("${LINES[@]}")
    LOADED_CUT[$path]=$L_CUT
  else
    BODY=${F_ERR:-"\"ok\":false,\"error\":\"read failed, timed out or the file changed while read: content discarded\",$F_META"}
  fi
  LOADED[$path]=$BODY
  [[ $BODY == '"ok":true'* ]]
}

# reduced_body PATH HOW: BODY for a unit, drop-in, environment or os-release file: only the lines the
# disclosure rule names (reduce_unit, reduce_env), marked "reduced".
reduced_body() {
  local how=$2 text
  load_lines "$1" || return
  case $how in
    unit) reduce_unit ;;
    env) reduce_env "$REFS" ;;
    os) reduce_env "$OS_RELEASE_KEYS" ;;
  esac
  text=$REDUCED
  json_str "$text"
  CONTENT_LEN=$((${#REPLY} - 2))
  if ((CONTENT_LEN > REDUCED_CAP)) || ! spend "$CONTENT_LEN"; then
    CONTENT_LEN=0
    DOC_CUT=true
    BODY+=',"reduced":true,"cut":true,"error":"left out: the reduced content exceeds its cap or the total output cap"'
    return
  fi
  BODY+=",\"encoding\":\"text\",\"reduced\":true,\"content\":$REPLY"
  [[ $L_CUT == true || $R_CUT == true ]] && BODY+=',"cut":true'
}

# ----------------------------------------------------------------------------------------------
# Processes
# ----------------------------------------------------------------------------------------------

# read_argv FILE: ARGV = the NUL-separated argv in FILE (a /proc/<pid>/cmdline), ARGV_CUT set when
# there were more than MAX_ARGS arguments.
read_argv() {
  local a=''
  ARGV=()
  ARGV_CUT=false
  [[ -f $1 ]] || return 0
  while IFS= read -r -d '' a; do
    if ((${#ARGV[@]} >= MAX_ARGS)); then
      ARGV_CUT=true
      return 0
    fi
    ARGV+=("$a")
    a=''
  done <"$1" 2>/dev/null
  # A process that rewrote its command line may not end it with NUL.
  [[ -n $a ]] && ARGV+=("$a")
  return 0
}

# read_status FILE: sets ST_NAME, ST_PPID, ST_UID from /proc/<pid>/status.
read_status() {
  local key val rest
  ST_NAME='' ST_PPID='' ST_UID=''
  [[ -f $1 ]] || return 0
  while IFS=$'\t' read -r -n 4096 key val rest; do
    case $key in
      Name:) ST_NAME=$val ;;
      PPid:) ST_PPID=$val ;;
      Uid:) ST_UID=$val ;;
    esac
    [[ -n $ST_UID ]] && break
  done <"$1" 2>/dev/null
}

# read_small FILE: REPLY = FILE's content without trailing newlines (for /proc files; no fork), at
# most 64 lines of 4,096 characters, and only from a regular file: /proc files are, a FIFO or device
# in their place would block or never end.
read_small() {
  local line n=0
  REPLY=''
  [[ -f $1 ]] || return 0
  while ((n++ < 64)) && { IFS= read -r -n 4096 line || [[ -n $line ]]; }; do
    REPLY+=$line$'\n'
  done <"$1" 2>/dev/null
  while [[ $REPLY == *$'\n' ]]; do REPLY=${REPLY%$'\n'}; done
}

# container_marker CGROUP: REPLY = the reason CGROUP belongs to a container runtime, else returns 1.
# Paths as the kubelet (kubepods), Docker, containerd/CRI, CRI-O, Podman and LXC name them.
container_marker() {
  case $1 in
    *kubepods*) REPLY='cgroup under kubepods (a Kubernetes pod)' ;;
    *docker*) REPLY='cgroup of a Docker container' ;;
    *cri-containerd* | */containerd/*) REPLY='cgroup of a containerd container' ;;
    *crio-*) REPLY='cgroup of a CRI-O container' ;;
    *libpod*) REPLY='cgroup of a Podman container' ;;
    */lxc/* | *lxc.payload*) REPLY='cgroup of an LXC container' ;;
    *) return 1 ;;
  esac
}

# in_kubelet_service CGROUP: true when a line of CGROUP ends in /kubelet.service or passes through it.
in_kubelet_service() {
  local rest=$1$'\n' line
  while [[ -n $rest ]]; do
    line=${rest%%$'\n'*}
    rest=${rest#*$'\n'}
    [[ $line == */kubelet.service || $line == */kubelet.service/* ]] && return 0
  done
  return 1
}

# reject PID ARGV0 WHY: lists a process named kubelet that is not judged, and why (charged to the
# budget like everything variable).
reject() {
  ((${#REJECTED[@]} < MAX_REJECTED)) || return 0
  local a0 why
  json_str "${2:0:256}"
  a0=$REPLY
  json_str "$3"
  why=$REPLY
  spend $((${#a0} + ${#why} + 30)) || return 0
  REJECTED+=("{\"pid\":$1,\"argv0\":$a0,\"why\":$why}")
}

# find_kubelets: fills CAND_PIDS (with CAND_TIER 1 = in kubelet.service, 2 = child of PID 1,
# 3 = argv[0] only) and REJECTED.
find_kubelets() {
  local d pid a0 comm cg self_visible=false pid1_ns ns
  CAND_PIDS=()
  CAND_TIER=()
  # Our own shell is in view only when HOST_ROOT's /proc is the proc we run in; in a simulated tree
  # the same PID numbers belong to other processes.
  [[ $HOST_ROOT/proc/$$ -ef /proc/$$ ]] && self_visible=true
  pid1_ns=$(readlink -- "$HOST_ROOT/proc/1/ns/mnt" 2>/dev/null)
  for d in "$HOST_ROOT"/proc/[0-9]*; do
    out_of_time && return 0
    pid=${d##*/}
    [[ $pid == *[!0-9]* || ! -f $d/cmdline ]] && continue
    a0=''
    IFS= read -r -d '' -n 4096 a0 <"$d/cmdline" 2>/dev/null
    [[ -z $a0 ]] && continue # kernel thread, or the process just exited
    if [[ ${a0##*/} != kubelet ]]; then
      # A script named kubelet shows comm "kubelet" with argv[0] the interpreter.
      comm=''
      [[ -f $d/comm ]] && IFS= read -r -n 64 comm <"$d/comm" 2>/dev/null
      [[ $comm == kubelet ]] && reject "$pid" "$a0" "its name is kubelet but argv[0] is not: a script or a renamed process"
      continue
    fi
    read_status "$d/status"
    if [[ $self_visible == true ]] && ((pid == $$ || pid == BASHPID || ST_PPID == $$)); then
      reject "$pid" "$a0" "the collector's own shell"
      continue
    fi
    read_small "$d/cgroup"
    cg=$REPLY
    if container_marker "$cg"; then
      reject "$pid" "$a0" "containerised: $REPLY"
      continue
    fi
    # Only a root process can be the node's kubelet: a user's process named kubelet must never decide
    # a verdict, nor make the collector read, as root, files its arguments name.
    if [[ $ST_UID != 0 ]]; then
      reject "$pid" "$a0" "not root (real uid ${ST_UID:-unknown}): not the node's kubelet"
      continue
    fi
    if in_kubelet_service "$cg"; then
      CAND_PIDS+=("$pid")
      CAND_TIER+=(1)
      continue
    fi
    # Outside kubelet.service a separate mount namespace means a container whose cgroup we did not
    # recognise. (Inside it, systemd sandboxing options can give the real kubelet its own namespace.)
    ns=$(readlink -- "$d/ns/mnt" 2>/dev/null)
    if [[ -n $ns && -n $pid1_ns && $ns != "$pid1_ns" ]]; then
      reject "$pid" "$a0" "containerised: another mount namespace than PID 1"
      continue
    fi
    CAND_PIDS+=("$pid")
    if [[ $ST_PPID == 1 ]]; then CAND_TIER+=(2); else CAND_TIER+=(3); fi
  done
}

# select_kubelets: keeps the candidates of the best tier, rejects the others with a reason.
select_kubelets() {
  local i best=9 pid kept=0
  for i in "${!CAND_PIDS[@]}"; do
    ((CAND_TIER[i] < best)) && best=${CAND_TIER[i]}
  done
  SELECTED=()
  for i in "${!CAND_PIDS[@]}"; do
    pid=${CAND_PIDS[i]}
    if ((CAND_TIER[i] != best)); then
      IFS= read -r -d '' -n 4096 REPLY <"$HOST_ROOT/proc/$pid/cmdline" 2>/dev/null
      if ((best == 1)); then
        reject "$pid" "$REPLY" "not in kubelet.service while another kubelet is"
      else
        reject "$pid" "$REPLY" "not a child of PID 1 while another kubelet is"
      fi
    elif ((kept >= MAX_KUBELETS)); then
      reject "$pid" kubelet "more than $MAX_KUBELETS kubelets: left out"
      DOC_CUT=true
    else
      SELECTED+=("$pid")
      ((kept++))
    fi
  done
  case $best in
    1) SELECTED_BY='kubelet.service cgroup' ;;
    2) SELECTED_BY='child of PID 1' ;;
    *) SELECTED_BY='argv[0] only: not in kubelet.service and not a child of PID 1' ;;
  esac
}

# flag_values NAME: FLAG_VALUES = every value the argv in ARGV gives the string flag --NAME, in order,
# as spf13/pflag reads them: "--name=v" or "--name v", "_" and "-" the same in names (the kubelet's
# WordSepNormalizeFunc), nothing after "--". The last one is what the kubelet uses; all are kept
# because a preceding string flag missing its value would swallow one (the evaluator decides).
flag_values() {
  local want=$1 i n=${#ARGV[@]} a name val
  FLAG_VALUES=()
  for ((i = 1; i < n; i++)); do
    a=${ARGV[i]}
    [[ $a == -- ]] && break
    [[ $a == --?* ]] || continue
    name=${a#--}
    val=''
    if [[ $name == *=* ]]; then
      val=${name#*=}
      name=${name%%=*}
      name=${name//_/-}
      [[ $name == "$want" ]] || continue
    else
      name=${name//_/-}
      [[ $name == "$want" ]] || continue
      ((i + 1 < n)) || continue
      ((i++))
      val=${ARGV[i]}
    fi
    [[ -n $val ]] && FLAG_VALUES+=("$val")
  done
}

# distinct_last VALUE...: DISTINCT = the values without repeats, the LAST occurrence first (it is the
# one the kubelet uses, so it gets the output budget first), at most MAX_PATHS_PER_FLAG.
distinct_last() {
  local i v seen=$'\n'
  DISTINCT=()
  for ((i = $#; i >= 1; i--)); do
    v=${!i}
    [[ $seen == *$'\n'"$v"$'\n'* ]] && continue
    seen+=$v$'\n'
    ((${#DISTINCT[@]} < MAX_PATHS_PER_FLAG)) && DISTINCT+=("$v")
  done
}

# describe_kubelet PID: appends the kubelet's JSON to KUBELETS and collects its config files.
describe_kubelet() {
  local pid=$1 d=$HOST_ROOT/proc/$1 json i a args=() used=0 cut=false cwd='' cwd_err='' stat rest f
  read_argv "$d/cmdline"
  [[ $ARGV_CUT == true ]] && cut=true
  for ((i = 0; i < ${#ARGV[@]}; i++)); do
    a=${ARGV[i]}
    if ((${#a} > ARG_CAP)); then
      a=${a:0:ARG_CAP}
      cut=true
    fi
    json_str "$a"
    if ((used + ${#REPLY} > ARGV_CAP || used + ${#REPLY} > BUDGET)) && ((i > 0)); then
      cut=true
      break
    fi
    args+=("$REPLY")
    ((used += ${#REPLY} + 1))
  done
  ((BUDGET -= used))
  [[ $cut == true ]] && DOC_CUT=true
  json_arr "${args[@]}"
  json="{\"pid\":$pid,\"argv\":$REPLY"
  [[ $cut == true ]] && json+=',"argvCut":true'

  read_status "$d/status"
  is_uint "$ST_PPID" && json+=",\"ppid\":$ST_PPID"
  is_uint "$ST_UID" && json+=",\"uid\":$ST_UID"
  read_small "$d/cgroup"
  json_str "${REPLY:0:2000}"
  spend ${#REPLY} && json+=",\"cgroup\":$REPLY"

  # The kernel shows cwd as a symlink; a simulated or copied tree may hold the path in a plain file.
  if [[ -L $d/cwd ]]; then
    cwd=$(readlink -- "$d/cwd") || cwd_err='readlink failed'
  elif [[ -f $d/cwd ]]; then
    read_small "$d/cwd"
    cwd=$REPLY
  else
    cwd_err='no cwd entry (process gone or not permitted)'
  fi
  # Seen from a container that mounts the host, the link may include the mount point.
  if [[ -n $HOST_ROOT && $cwd == "$HOST_ROOT"/* ]]; then cwd=${cwd#"$HOST_ROOT"}; fi
  if [[ -n $cwd ]]; then
    json_str "${cwd:0:1024}"
    spend ${#REPLY} && json+=",\"cwd\":$REPLY"
  else
    json_str "${cwd_err:-empty cwd}"
    json+=",\"cwdError\":$REPLY"
  fi

  # /proc/<pid>/stat: the command name is in parentheses and may contain spaces or ")", so the
  # fields are counted after the LAST ")". Field 3 (state) is rest[0]: utime (14), stime (15) and
  # starttime (22) are rest[11], rest[12] and rest[19].
  read_small "$d/stat"
  rest=${REPLY##*) }
  stat=($rest)
  if is_uint "${stat[19]}"; then
    ticks_to_seconds "${stat[19]}"
    json+=",\"startSecondsSinceBoot\":$REPLY"
  fi
  if is_uint "${stat[11]}" && is_uint "${stat[12]}"; then
    ticks_to_seconds $((stat[11] + stat[12]))
    json+=",\"cpuSeconds\":$REPLY"
  fi
  kubelet_version "$pid"
  json+=$REPLY
  json_str "$SELECTED_BY"
  json+=",\"selectedBy\":$REPLY}"
  KUBELETS+=("$json")
  kubelet_files "$pid" "$cwd"
}

# flag_paths FLAG PID CWD: PATHS = the distinct values of --FLAG (the one the kubelet uses first),
# relative ones joined to the kubelet's working directory (an error when it is unknown).
flag_paths() {
  local f
  PATHS=()
  flag_values "$1"
  distinct_last "${FLAG_VALUES[@]}"
  for f in "${DISTINCT[@]}"; do
    if [[ $f != /* && -z $3 ]]; then
      add_error "kubelet $2: relative --$1 $f and its working directory is unknown"
      continue
    fi
    host_join "$3" "$f"
    PATHS+=("$REPLY")
  done
}

# kubelet_files PID CWD: the files the kubelet's command line names. The --config file and drop-ins
# come first (their content, and the clientCAFile values in it); the kubeconfig and the client CA
# files only as metadata, for the file controls (CIS EKS 3.1.x): their content never leaves the node.
kubelet_files() {
  local pid=$1 cwd=$2 f
  CA_CANDS=()
  flag_paths config "$pid" "$cwd"
  for f in "${PATHS[@]}"; do add_file "$f" config "$pid" content; done
  flag_paths config-dir "$pid" "$cwd"
  for f in "${PATHS[@]}"; do walk_config_dir "$f" "$pid"; done
  flag_paths kubeconfig "$pid" "$cwd"
  for f in "${PATHS[@]}"; do add_file "$f" kubeconfig "$pid" meta; done
  flag_paths client-ca-file "$pid" "$cwd"
  for f in "${PATHS[@]}" "${CA_CANDS[@]}"; do add_file "$f" client-ca "$pid" meta; done
}

# ca_scan TEXT FILE: adds to CA_CANDS each clientCAFile value in TEXT (the shipped part of a config
# file or drop-in), JSON or YAML, quoted or plain, at most 4: the evaluator, which parses the files,
# decides which one is in effect. A relative value is joined to FILE's directory, as the kubelet does
# (pkg/kubelet/kubeletconfig/configfiles/configfiles.go: resolveRelativePaths, filepath.Dir).
ca_scan() {
  local s=$1 dir=${2%/*} v n=0 q="'"
  local re='clientCAFile["'"$q"']?[[:space:]]*:[[:space:]]*("[^"\\]*"|'"$q[^$q]*$q"'|[^[:space:]"'"$q"',}#][^[:space:],}#]*)'
  [[ $s == *clientCAFile* ]] || return 0
  while ((n++ < 4)) && [[ $s =~ $re ]]; do
    s=${s#*"${BASH_REMATCH[0]}"}
    v=${BASH_REMATCH[1]}
    [[ $v == [\"$q]* ]] && v=${v:1:${#v}-2}
    [[ -z $v || ${#v} -gt 1024 ]] && continue
    host_join "${dir:-/}" "$v"
    CA_CANDS+=("$REPLY")
  done
}

# ----------------------------------------------------------------------------------------------
# Programs run on the node: the kubelet binary (--version) and Bottlerocket's apiclient
# ----------------------------------------------------------------------------------------------

# safe_exec PATH: REPLY = HOST_ROOT + resolved host PATH if it may run as root: an executable regular
# file owned by root, writable by no one else, not on /proc, /sys, /dev or /tmp, /var/tmp, with no
# world-writable directory above it. Else returns 1, the reason in REPLY.
safe_exec() {
  local path real dirs=() d st
  resolve_host "$1" || return 1
  path=$REPLY real=$HOST_ROOT$REPLY
  REPLY="refused: $path"
  case $path in /proc/* | /sys/* | /dev/* | /tmp/* | /var/tmp/*) REPLY+=' is in a pseudo or temporary filesystem'; return 1 ;; esac
  [[ -f $real && ! -L $real && -x $real ]] || { REPLY+=' is not an executable regular file'; return 1; }
  for ((d = ${#path}; d > 0; d--)); do [[ ${path:d:1} == / ]] && dirs+=("$HOST_ROOT${path:0:d}"); done
  st=($(stat -c '%u %a' -- "$real" "${dirs[@]}" "$HOST_ROOT/" 2>/dev/null)) || return 1
  [[ ${st[0]} == 0 ]] && ! ((8#${st[1]} & 8#022)) || { REPLY+=" has owner ${st[0]}, mode ${st[1]}"; return 1; }
  for ((d = 3; d < ${#st[@]}; d += 2)); do
    ((8#${st[d]} & 2)) && { REPLY+=' is under a world-writable directory'; return 1; }
  done
  REPLY=$real
}

# run_bounded SECONDS BYTES PROGRAM ARG...: OUT = at most BYTES of its stdout (NUL as \001), RC = its
# exit status (124: timed out); empty environment, no stdin. head has its own timeout: a child that
# escaped the kill could hold the pipe open.
run_bounded() {
  local t=$1 cap=$2
  shift 2
  [[ -n $TIMEOUT ]] || { OUT='' RC='not run: no timeout command'; return; }
  OUT=$($TIMEOUT -k 1 "$t" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" </dev/null 2>/dev/null |
    $TIMEOUT $((t + 2)) head -c "$cap" | tr '\0' '\1'
  printf /%s "${PIPESTATUS[0]}")
  RC=${OUT##*/} OUT=${OUT%/*}
}

# kubelet_version PID: REPLY = ',"version":"Kubernetes v..."', the first line of `--version` of the
# binary the process runs (/proc/<pid>/exe, resolved inside HOST_ROOT), or ',"versionError":"..."'.
kubelet_version() {
  local exe
  REPLY='no /proc/<pid>/exe link'
  if [[ -z $TIMEOUT ]] || ((TIME_BUDGET - SECONDS < 5)); then
    REPLY='not run: no timeout command or too little time left'
  elif exe=$(readlink -- "$HOST_ROOT/proc/$1/exe" 2>/dev/null); then
    [[ -n $HOST_ROOT && $exe == "$HOST_ROOT"/* ]] && exe=${exe#"$HOST_ROOT"}
    if [[ $exe != /* || $exe == *' (deleted)' ]]; then
      REPLY="binary deleted or replaced since the kubelet started"
    elif safe_exec "$exe"; then
      run_bounded 3 256 "$REPLY" --version
      if [[ ${OUT%%$'\n'*} =~ ^Kubernetes\ v[0-9][0-9A-Za-z.+-]{0,80}$ ]]; then
        REPLY=",\"version\":\"${BASH_REMATCH[0]}\""
        return
      fi
      REPLY="unexpected output of --version (exit status $RC)"
      [[ $RC == 124 || $RC == 137 ]] && REPLY='--version timed out after 3s'
    fi
  fi
  json_str "${REPLY:0:200}"
  REPLY=",\"versionError\":$REPLY"
}

# ----------------------------------------------------------------------------------------------
# Bottlerocket's API, from its control container
# ----------------------------------------------------------------------------------------------

br_error() {
  json_str "${1:0:200}"
  ((${#BR_ERRS[@]} < 8)) && BR_ERRS+=("$REPLY")
}

# api_call SECONDS APICLIENT ARG...: OUT = the answer, or returns 1 (reason in BR_ERRS) when it timed
# out, failed or said more than API_CAP bytes.
api_call() {
  local t=$1 what="apiclient $3 $4"
  if ((TIME_BUDGET - SECONDS < t + 2)); then
    br_error "$what: not run, too little time left"
    return 1
  fi
  run_bounded "$t" $((API_CAP + 1)) "${@:2}"
  ((${#OUT} > API_CAP)) && RC="more than $API_CAP bytes of output"
  [[ $RC == 124 || $RC == 137 ]] && RC="timed out after ${t}s"
  [[ $RC == 0 ]] && return
  [[ $RC == [0-9]* ]] && RC="exit status $RC"
  br_error "$what: $RC"
  return 1
}

# cis_report TEXT: REPLY = bloodhound's report (core-kit sources/bloodhound/src/results.rs
# ReportResults as one line of serde_json: level, total, passed, skipped, failed, status, timestamp,
# name, version, url, then results keyed by check name, each name, id, level, title, mode, status,
# error) reduced to level, status, benchmark version and each check's id, status, title and error
# (120 characters each, JSON escapes kept as text; the error only of an automatic check, where it
# says why a check FAILed or was SKIPped, e.g. "file ... has extra permissions: 0x640") and Manual
# mode. bloodhound exits 0 when checks FAIL: the statuses are the answer.
cis_report() {
  local s=$1 head n=0 checks=() item total=-1 re json id mode status error
  head=${s%%\"results\":\{*}
  if [[ $head == "$s" || $head != '{'* || ! $head =~ \"status\":\"(PASS|FAIL|SKIP)\" ]]; then
    br_error 'apiclient report cis-k8s: not a bloodhound JSON report'
    return 1
  fi
  json="\"status\":\"${BASH_REMATCH[1]}\""
  [[ $head =~ \"level\":([0-9]{1,2}), ]] && json="\"level\":${BASH_REMATCH[1]},$json"
  [[ $head =~ \"version\":\"([A-Za-z0-9._-]{1,32})\" ]] && json+=",\"benchmarkVersion\":\"${BASH_REMATCH[1]}\""
  [[ $head =~ \"total\":([0-9]{1,4}), ]] && total=$((10#${BASH_REMATCH[1]}))
  s=${s:${#head}}
  re='"id":"([0-9][0-9.]{0,15})","level":[0-9]+,"title":"(([^"\\]|\\.)*)","mode":"(Automatic|Manual)","status":"(PASS|FAIL|SKIP)"(,"error":"(([^"\\]|\\.)*)")?'
  while ((n++ < MAX_CHECKS)) && [[ $s =~ $re ]]; do
    s=${s#*"${BASH_REMATCH[0]}"}
    id=${BASH_REMATCH[1]} mode=${BASH_REMATCH[4]} status=${BASH_REMATCH[5]} error=${BASH_REMATCH[7]}
    json_str "${BASH_REMATCH[2]:0:120}"
    item="{\"id\":\"$id\",\"status\":\"$status\",\"title\":$REPLY"
    if [[ $mode == Manual ]]; then
      item+=',"manual":true'
    elif [[ -n $error ]]; then
      json_str "${error:0:120}"
      item+=",\"error\":$REPLY"
    fi
    checks+=("$item}")
  done
  ((total >= 0 && total != ${#checks[@]})) && br_error "apiclient report cis-k8s: $total checks, ${#checks[@]} read"
  json_arr "${checks[@]}"
  REPLY="{$json,\"checks\":$REPLY}"
}

# br_settings TEXT: REPLY = ',"settings":{...}' with the BR_SETTINGS keys of `apiclient get
# settings.kubernetes` (serde_json's pretty print: its keys are the lines indented by 6 spaces) and
# ',"settingsPresent":[...]' naming the BR_SECRETS that are set, without their values.
br_settings() {
  local s=$1 nl=$'\n' key re out='' present=()
  [[ $s == '{'* ]] || { br_error 'apiclient get settings.kubernetes: not a JSON object'; return 1; }
  for key in $BR_SETTINGS; do
    re="$nl      \"$key\": (true|false|-?[0-9]{1,12}(\\.[0-9]{1,6})?|\"[A-Za-z0-9._-]{0,32}\"),?$nl"
    [[ $s =~ $re ]] && out+=",\"$key\":${BASH_REMATCH[1]}"
  done
  for key in $BR_SECRETS; do [[ $s == *"$nl      \"$key\": "* ]] && present+=("\"$key\""); done
  json_arr "${present[@]}"
  [[ $REPLY == '[]' ]] && REPLY='' || REPLY=",\"settingsPresent\":$REPLY"
  REPLY=",\"settings\":{${out#,}}$REPLY"
}

# collect_bottlerocket: BOTTLEROCKET = what the API says about the kubelet, from the control container
# that cannot see the host (host-ctr mounts apiclient at /usr/local/bin there; /usr/bin on the host).
collect_bottlerocket() {
  local json='' bin
  BR_ERRS=()
  for bin in /usr/bin/apiclient /usr/local/bin/apiclient ''; do [[ -e $HOST_ROOT$bin ]] && break; done
  [[ -z $bin && -z $HOST_ROOT ]] && bin=$(command -v apiclient 2>/dev/null)
  if [[ -z $TIMEOUT || $bin != /* ]]; then
    br_error 'apiclient not found, or no timeout command'
  elif safe_exec "$bin"; then
    bin=$REPLY
    api_call 10 "$bin" report cis-k8s -f json && cis_report "$OUT" && json+=",\"cisReport\":$REPLY"
    api_call 4 "$bin" get settings.kubernetes && br_settings "$OUT" && json+=$REPLY
  else
    br_error "$REPLY"
  fi
  json_arr "${BR_ERRS[@]}"
  json="{${json#,}${json:+,}\"errors\":$REPLY}"
  spend ${#json} || json='{"errors":["left out: the total output cap was reached"]}'
  BOTTLEROCKET=$json
}

# ----------------------------------------------------------------------------------------------
# --config-dir
# ----------------------------------------------------------------------------------------------

# walk_config_dir DIR PID: records every entry under DIR the way the kubelet visits them: Go's
# filepath.WalkDir (depth first, each directory's entries sorted by name, byte order; symlinks are
# not followed, so a linked directory is listed but not entered). Only regular *.conf files are
# drop-ins to the kubelet (pkg/kubelet/kubeletconfig ... mergeKubeletConfigurations), but all are
# listed; *.conf contents are read first, others only with what budget is left.
walk_config_dir() {
  local dir=$1 pid=$2 json e
  WALK_ENTRIES=()
  WALK_CONF=()
  WALK_OTHER=()
  WALK_CUT=false
  WALK_ERR=''
  # WalkDir uses lstat on its root: a symlink given without a trailing slash is not descended.
  if [[ $dir == */ ]]; then
    resolve_host "$dir"
  else
    resolve_host "$dir" nofollow
  fi || WALK_ERR=$REPLY
  local real=$HOST_ROOT$REPLY
  if [[ -n $WALK_ERR ]]; then
    :
  elif pseudo_fs "$dir" || pseudo_fs "$REPLY"; then
    WALK_ERR='refused: on /proc, /sys or /dev, not walked'
  elif [[ -L $real ]]; then
    WALK_ERR='is a symbolic link: the kubelet (filepath.WalkDir) does not follow it'
  elif [[ ! -e $real ]]; then
    WALK_ERR='not found'
  elif [[ ! -d $real ]]; then
    WALK_ERR='not a directory'
  else
    walk_dir "${dir%/}" "$real" 1
  fi
  json_str "$dir"
  spend $((${#REPLY} + 40)) || return 0
  json="{\"path\":$REPLY,\"pid\":$pid"
  local items=()
  for e in "${WALK_ENTRIES[@]}"; do
    json_str "$e"
    if ! spend $((${#REPLY} + 1)); then
      WALK_CUT=true
      break
    fi
    items+=("$REPLY")
  done
  json_arr "${items[@]}"
  json+=",\"entries\":$REPLY"
  if [[ -n $WALK_ERR ]]; then
    json_str "$WALK_ERR"
    json+=",\"error\":$REPLY"
  fi
  [[ $WALK_CUT == true ]] && json+=',"cut":true' && DOC_CUT=true
  CONFIG_DIRS+=("$json}")
  for e in "${WALK_CONF[@]}"; do add_file "$e" config-dir-entry "$pid" content; done
  for e in "${WALK_OTHER[@]}"; do add_file "$e" config-dir-entry "$pid" redact; done
}

# walk_dir HOSTPATH REALPATH DEPTH
walk_dir() {
  local host=$1 real=$2 depth=$3 entry name
  for entry in "$real"/*; do
    name=${entry##*/}
    if ((${#WALK_ENTRIES[@]} >= MAX_FILES)) || out_of_time; then
      WALK_CUT=true
      return
    fi
    if [[ -d $entry && ! -L $entry ]]; then
      WALK_ENTRIES+=("$host/$name/")
      if ((depth >= MAX_DIR_DEPTH)); then
        WALK_CUT=true
      else
        walk_dir "$host/$name" "$entry" $((depth + 1))
      fi
      continue
    fi
    WALK_ENTRIES+=("$host/$name")
    # The kubelet reads a *.conf symlink's target (os.ReadFile follows links).
    if [[ $name == *.conf ]]; then WALK_CONF+=("$host/$name"); else WALK_OTHER+=("$host/$name"); fi
  done
}

# ----------------------------------------------------------------------------------------------
# systemd unit, drop-ins, environment files, OS
# ----------------------------------------------------------------------------------------------

# trim TEXT: REPLY = TEXT without leading and trailing whitespace.
trim() {
  REPLY=${1#"${1%%[![:space:]]*}"}
  REPLY=${REPLY%"${REPLY##*[![:space:]]}"}
}

# logical_lines: LOGICAL = LINES joined the way systemd reads a unit file (and
# functions/kubelet/systemd-unit.ts models it): a trailing backslash continues a line with a space,
# and a comment line inside a continuation is skipped.
logical_lines() {
  local line pending='' have=false
  LOGICAL=()
  for line in "${LINES[@]}"; do
    trim "$line"
    line=$REPLY
    if [[ $have == true ]]; then
      [[ $line == '#'* || $line == ';'* ]] && continue
      line="$pending $line"
    fi
    if [[ $line == *\\ ]]; then
      pending=${line%\\}
      have=true
      continue
    fi
    have=false
    LOGICAL+=("$line")
  done
  [[ $have == true ]] && LOGICAL+=("$pending")
}

# unit_key LINE: KEY and VALUE of a "Key=value" line (both trimmed), or returns 1.
unit_key() {
  [[ $1 == *=* ]] || return 1
  trim "${1%%=*}"
  KEY=$REPLY
  trim "${1#*=}"
  VALUE=$REPLY
}

# add_refs LINE: adds to REFS every variable an ExecStart= line references ($VAR or ${VAR}; "$$" is
# a literal dollar sign). Bounded: a line has at most 256 references taken.
add_refs() {
  local v=${1//\$\$/} re='\$\{?([A-Za-z_][A-Za-z0-9_]*)' n=0
  while ((n++ < 256)) && [[ $v =~ $re ]]; do
    [[ $REFS == *$'\n'"${BASH_REMATCH[1]}"$'\n'* ]] || REFS+=${BASH_REMATCH[1]}$'\n'
    v=${v#*"${BASH_REMATCH[0]}"}
  done
}

# env_words VALUE: WORDS = VALUE split as systemd splits Environment= (quotes and backslash escapes
# kept in each word, so a kept word is written back exactly as it was).
env_words() {
  local s=$1 i n=${#1} c q='' w=''
  WORDS=()
  for ((i = 0; i < n; i++)); do
    c=${s:i:1}
    if [[ -z $q && $c == [[:space:]] ]]; then
      [[ -n $w ]] && WORDS+=("$w")
      w=''
      continue
    fi
    w+=$c
    if [[ $c == \\ ]] && ((i + 1 < n)); then
      ((i++))
      w+=${s:i:1}
    elif [[ -n $q ]]; then
      [[ $c == "$q" ]] && q=''
    elif [[ $c == [\"\'] ]]; then
      q=$c
    fi
  done
  [[ -n $w ]] && WORDS+=("$w")
}

# referenced WORD KEYS: true when WORD ('NAME=value', possibly quoted) assigns a variable in KEYS.
referenced() {
  local name=${1#[\"\']}
  [[ $name == *=* ]] || return 1
  name=${name%%=*}
  [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ && $2 == *$'\n'"$name"$'\n'* ]]
}

# reduce_unit: REDUCED = the logical lines of LINES that can change the kubelet's command line:
# section headers, ExecStart=, EnvironmentFile= (paths), and Environment= reduced to the assignments
# of referenced variables (an empty Environment= stays: it resets the list). R_CUT=true when a line
# too long to split was left out.
reduce_unit() {
  local line kept w
  REDUCED=''
  R_CUT=false
  logical_lines
  for line in "${LOGICAL[@]}"; do
    if [[ $line == '['*']' ]]; then
      REDUCED+=$line$'\n'
      continue
    fi
    unit_key "$line" || continue
    case $KEY in
      ExecStart | EnvironmentFile) REDUCED+=$line$'\n' ;;
      Environment)
        if ((${#VALUE} > MAX_WORD_LINE)); then
          R_CUT=true
          continue
        fi
        env_words "$VALUE"
        kept=''
        for w in "${WORDS[@]}"; do referenced "$w" "$REFS" && kept+=" $w"; done
        [[ -n $kept || -z $VALUE ]] && REDUCED+="Environment=${kept# }"$'\n'
        ;;
    esac
  done
}

# reduce_env KEYS: REDUCED = the assignments in LINES (an environment file, or os-release) of the
# variables in KEYS, continuation lines joined as systemd's load_env_file joins them.
reduce_env() {
  local keys=$1 i n=${#LINES[@]} line key
  REDUCED=''
  R_CUT=false
  for ((i = 0; i < n; i++)); do
    line=${LINES[i]}
    while [[ $line == *\\ && $line != *\\\\ ]] && ((i + 1 < n)); do
      ((i++))
      line=${line%\\}${LINES[i]}
    done
    trim "$line"
    line=$REPLY
    [[ $line == *=* ]] || continue
    trim "${line%%=*}"
    key=$REPLY
    [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ && $keys == *$'\n'"$key"$'\n'* ]] && REDUCED+=$line$'\n'
  done
}

# unit_env_files: appends to ENV_FILES the paths named by EnvironmentFile= in LOGICAL ("-" prefix =
# optional, systemd.exec(5)). An empty assignment resets the list in systemd; the files named before
# it are still collected, which costs little and shows what was on disk.
unit_env_files() {
  local line
  for line in "${LOGICAL[@]}"; do
    unit_key "$line" && [[ $KEY == EnvironmentFile ]] || continue
    VALUE=${VALUE#-}
    [[ $VALUE == /* ]] && ((${#ENV_FILES[@]} < MAX_FILES)) && ENV_FILES+=("$VALUE")
  done
}

# collect_units: the kubelet unit and its drop-ins from every systemd unit directory, then the
# environment files they name and nodeadm's /etc/eks/kubelet/environment. All unit files are read
# first, so that REFS holds every variable any ExecStart= references before anything is reduced.
collect_units() {
  local base f p line units=()
  ENV_FILES=()
  for base in /etc/systemd/system /run/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
    for f in "$base/kubelet.service" "$HOST_ROOT$base"/kubelet.service.d/*.conf; do
      f=${f#"$HOST_ROOT"}
      [[ -e $HOST_ROOT$f || -L $HOST_ROOT$f ]] || continue
      # /lib is a symlink to /usr/lib on merged-/usr systems: record each real file once.
      resolve_host "$f" && p=$REPLY || p=$f
      [[ -n ${FILE_REAL[$p]} ]] && continue
      FILE_REAL[$p]=1
      ((${#units[@]} < MAX_FILES)) && units+=("$f")
    done
  done
  for f in "${units[@]}"; do
    out_of_time && return 0
    load_lines "$f" || continue
    logical_lines
    for line in "${LOGICAL[@]}"; do
      unit_key "$line" && [[ $KEY == ExecStart ]] && add_refs "$VALUE"
    done
    unit_env_files
  done
  for f in "${units[@]}"; do
    if [[ $f == *.service ]]; then
      add_file "$f" unit '' unit
    else
      add_file "$f" unit-dropin '' unit
    fi
  done
  [[ -e $HOST_ROOT/etc/eks/kubelet/environment || -L $HOST_ROOT/etc/eks/kubelet/environment ]] &&
    add_file /etc/eks/kubelet/environment environment '' env
  for f in "${ENV_FILES[@]}"; do add_file "$f" environment '' env; done
}

collect_os() {
  if [[ -e $HOST_ROOT/etc/os-release || -L $HOST_ROOT/etc/os-release ]]; then
    add_file /etc/os-release os-release '' os
  elif [[ -e $HOST_ROOT/usr/lib/os-release ]]; then
    add_file /usr/lib/os-release os-release '' os
  fi
}

# ----------------------------------------------------------------------------------------------
# Host view
# ----------------------------------------------------------------------------------------------

choose_host_root() {
  # Bottlerocket's admin container (superpowered) sees the host at /.bottlerocket/rootfs.
  if [[ -z ${HOST_ROOT+set} && -d /.bottlerocket/rootfs/proc ]]; then
    HOST_ROOT=/.bottlerocket/rootfs
    HOST_NOTE='via /.bottlerocket/rootfs (Bottlerocket admin container)'
  fi
  HOST_ROOT=${HOST_ROOT%/}
  if [[ -z $HOST_ROOT && -d /.bottlerocket/rootfs ]]; then
    add_error 'HOST_ROOT is empty inside a Bottlerocket host container: files are the container'"'"'s, not the host'"'"'s'
  fi
}

# in_control_container: Bottlerocket's control container, where the SSM agent runs, has its own PID
# and mount namespaces and only the API socket, apiclient and its storage under /.bottlerocket
# (bottlerocket-os host-ctr); unlike the admin container it has no /.bottlerocket/rootfs.
in_control_container() {
  [[ -e $HOST_ROOT/.bottlerocket/host-containers || -e $HOST_ROOT/run/api.sock ]] &&
    [[ ! -d $HOST_ROOT/.bottlerocket/rootfs/proc ]]
}

host_json() {
  local json up now
  json="{\"visible\":$HOST_VISIBLE"
  if [[ -n $HOST_NOTE ]]; then
    json_str "$HOST_NOTE"
    json+=",\"note\":$REPLY"
  fi
  [[ -f $HOST_ROOT/proc/uptime ]] && read -r -n 64 up _ <"$HOST_ROOT/proc/uptime" 2>/dev/null
  [[ $up =~ ^[0-9]+(\.[0-9]+)?$ ]] && json+=",\"uptimeSeconds\":$up"
  # The collection time only as epoch seconds: an ISO copy of it would add ~30 characters to the
  # compact output and no information.
  now=$(date -u +%s 2>/dev/null)
  is_uint "$now" && json+=",\"nowEpochSeconds\":$now"
  read_small "$HOST_ROOT/proc/sys/kernel/hostname"
  # /etc/hostname only as a plain file: a symlink there could name any file's first line.
  [[ -z $REPLY && ! -L $HOST_ROOT/etc/hostname ]] && read_small "$HOST_ROOT/etc/hostname"
  REPLY=${REPLY%%$'\n'*}
  if [[ -n $REPLY ]]; then
    json_str "${REPLY:0:253}"
    json+=",\"hostname\":$REPLY"
  fi
  REPLY="$json}"
}

# ----------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------

files_json() {
  local i json items=() role roles
  for i in "${!FILE_PATHS[@]}"; do
    roles=''
    for role in ${FILE_ROLES[i]//,/ }; do roles+=",\"$role\""; done
    json_str "${FILE_PATHS[i]}"
    json="{\"path\":$REPLY,\"roles\":[${roles#,}]"
    [[ -n ${FILE_PID[i]} ]] && json+=",\"pid\":${FILE_PID[i]}"
    items+=("$json,${FILE_BODY[i]}}")
  done
  json_arr "${items[@]}"
}

document() {
  local host
  host_json
  host=$REPLY
  json_str "$COLLECTOR"
  local doc="{\"format\":\"eks-kubelet-audit/evidence\",\"version\":1,\"collector\":$REPLY"
  doc+=",\"host\":$host"
  json_arr "${KUBELETS[@]}"
  doc+=",\"kubelets\":$REPLY"
  json_arr "${REJECTED[@]}"
  doc+=",\"rejected\":$REPLY"
  json_arr "${CONFIG_DIRS[@]}"
  doc+=",\"configDirs\":$REPLY"
  files_json
  doc+=",\"files\":$REPLY"
  [[ -n $BOTTLEROCKET ]] && doc+=",\"bottlerocket\":$BOTTLEROCKET"
  json_arr "${ERRORS[@]}"
  doc+=",\"errors\":$REPLY,\"cut\":$DOC_CUT,\"end\":true}"
  REPLY=$doc
}

# compact DOC: REPLY = the compact envelope {"eka":1,"gz85":"...","pad":N} of DOC, or returns 1
# (no gzip or od, or they failed). gz85 is the `gzip -9 -n` member WITHOUT its fixed 10-byte header
# (the reader puts it back; the CRC-32 and length trailer stay), zero-padded to a multiple of 4
# bytes (pad = how many) and Z85-encoded. Bytes travel as od's decimals: a bash variable cannot hold
# NUL.
compact() {
  local -a b
  local n i v pad out=''
  command -v gzip >/dev/null 2>&1 && command -v od >/dev/null 2>&1 || return 1
  b=($(printf '%s' "$1" | gzip -9 -n -c | od -An -v -tu1)) || return 1
  n=${#b[@]}
  # FLG 0 (no name, comment or extra field) makes the header exactly 10 bytes.
  ((n > 18 && b[0] == 31 && b[1] == 139 && b[2] == 8 && b[3] == 0)) || return 1
  pad=$(((4 - (n - 10) % 4) % 4))
  for ((i = n; i < n + pad; i++)); do b[i]=0; done
  for ((i = 10; i < n + pad; i += 4)); do
    v=$(((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]))
    out+=${Z85:v / 52200625:1}${Z85:v / 614125 % 85:1}${Z85:v / 7225 % 85:1}${Z85:v / 85 % 85:1}${Z85:v % 85:1}
  done
  REPLY="{\"eka\":1,\"gz85\":\"$out\",\"pad\":$pad}"
}

# emit DOC: prints the compact envelope when it is shorter than DOC (so that most nodes fit the 2,500
# characters ListCommandInvocations returns inline, which saves a GetCommandInvocation call per
# node), else DOC itself.
emit() {
  local doc=$1
  case $KUBELET_AUDIT_ENCODING in
    plain) ;;
    both)
      printf '%s\n' "$doc"
      compact "$doc" && printf '%s\n' "$REPLY"
      return 0
      ;;
    *)
      if compact "$doc" && ((${#REPLY} < ${#doc})); then
        printf '%s\n' "$REPLY"
        return 0
      fi
      ;;
  esac
  printf '%s\n' "$doc"
}

main() {
  local pid
  choose_host_root
  if [[ ! -d $HOST_ROOT/proc ]]; then
    HOST_VISIBLE=false
    HOST_NOTE="no proc filesystem at ${HOST_ROOT:-}/proc"
    add_error "$HOST_NOTE"
    return
  fi
  find_kubelets
  if ((${#CAND_PIDS[@]} == 0)) && in_control_container; then
    HOST_VISIBLE=false
    HOST_NOTE='Bottlerocket control container: the host'"'"'s processes and files are not visible here. Run the collector in the admin container (it sees the host at /.bottlerocket/rootfs) or use `apiclient report cis-k8s`.'
    collect_bottlerocket
    return
  fi
  select_kubelets
  for pid in "${SELECTED[@]}"; do describe_kubelet "$pid"; done
  collect_units
  collect_os
}

main
document
emit "$REPLY"
exit 0

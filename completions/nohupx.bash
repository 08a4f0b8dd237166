# bash completion for nohupx, detach and reattach-sock. It works in a plain
# bash, and uses bash-completion (>= 2) where it is loaded: its _filedir
# (quoting, ~), _pids and _pgids, and _command_offset, which hands the
# command's own words to that command's completion.
# Options first; from the first word that is not an option on, the rest of
# the line is completed as a command line of its own, as for nohup.

# _nohupx_words sets, in the caller: words and cword (the line's words,
# with --opt=value as one word), at (the index in COMP_WORDS where each of
# words starts), cur and prev. bash splits COMP_WORDS at the characters of
# COMP_WORDBREAKS, "=" among them, so --opt=value arrives as the three
# words --opt, = and value: they are glued back. Then, as
# bash-completion's _init_completion -s does, a current word --opt=value
# is split into prev=--opt and cur=value, which is the part bash replaces.
_nohupx_words()
{
    local i w glue=0
    words=() at=() cword=0
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        if ((i > 1)) && [[ $w =~ ^=+$ ]]; then
            words[${#words[@]} - 1]+=$w
            glue=1
        elif ((glue)); then
            words[${#words[@]} - 1]+=$w
            glue=0
        else
            words+=("$w")
            at+=("$i")
        fi
        ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
    done
    cur=${words[cword]-}
    prev=${words[cword - 1]-}
    if [[ $cur == --?*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    fi
}

# The helpers: bash-completion's where it is loaded, plain bash otherwise.
_nohupx_filedir()
{
    if declare -F _filedir >/dev/null; then
        _filedir "$@"
        return
    fi
    compopt -o filenames 2>/dev/null
    if [[ ${1-} == -d ]]; then
        COMPREPLY=($(compgen -d -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

# _nohupx_ids pid|pgid: the process or process group IDs.
_nohupx_ids()
{
    if [[ $1 == pid ]] && declare -F _pids >/dev/null; then
        _pids
    elif [[ $1 == pgid ]] && declare -F _pgids >/dev/null; then
        _pgids
    else
        COMPREPLY=($(compgen -W "$(command ps -A -o "$1=" 2>/dev/null)" -- "$cur"))
    fi
}

# _nohupx_command N: words[N] on are a command line of their own.
_nohupx_command()
{
    if declare -F _command_offset >/dev/null; then
        _command_offset "${at[$1]}"
    elif (($1 == cword)); then
        COMPREPLY=($(compgen -c -- "$cur"))
    else
        # readline's own file name completion for the command's arguments.
        compopt -o default 2>/dev/null
        COMPREPLY=()
    fi
}

# _nohupx_complete OPTIONS_WITH_ARGS ALL_OPTIONS [ids]
# With ids (nohupx), -p and -g among the options make the operands process
# or group IDs instead of a command. Only the options count: detach's -p is
# --print-pid, and a -p after the command is the command's own.
_nohupx_complete()
{
    local cur prev words cword at
    _nohupx_words
    local with_arg=" $1 " i ids=
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --) ((i++)); break ;;
        --*=*) ;;
        -*)
            if [[ ${3-} == ids ]]; then
                case ${words[i]} in
                -p | --pid) ids=pid ;;
                -g | --pgid) ids=pgid ;;
                esac
            fi
            [[ $with_arg == *" ${words[i]} "* ]] && ((i++)) ;;
        *) break ;;
        esac
    done
    if [[ -n $ids && $cur != -* ]]; then
        _nohupx_ids $ids
        return
    fi
    if ((i < cword)); then
        _nohupx_command $i
        return
    fi
    case $prev in
    -o | --output | --stderr | --rotate | --pidfile) _nohupx_filedir; return ;;
    -C | --chdir | --install-links) _nohupx_filedir -d; return ;;
    -u | --user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
    --ignore | --signal) COMPREPLY=($(compgen -W 'HUP INT QUIT TERM CONT TSTP TTIN TTOU USR1 USR2 PIPE ALRM WINCH KILL STOP' -- "$cur")); return ;;
    --log | --wait | --kill)
        # The ids of the recorded jobs: the first column of --jobs.
        COMPREPLY=($(compgen -W "$(nohupx --jobs 2>/dev/null | awk 'NR > 1 && $2 ~ /^[0-9]+$/ { print $1 }')" -- "$cur"))
        return ;;
    --max-size | --keep | --max-age | --umask | --timeout | --on-exit | -n | --lines) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$2" -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi
    COMPREPLY=($(compgen -c -- "$cur"))
}

_nohupx()
{
    _nohupx_complete '-o --output --ignore --max-size --keep --max-age --rotate --install-links --on-exit --log -n --lines --wait --kill --signal' \
        '-o --output= -q --quiet --ignore= -s --survive --all-stdio --max-size= --keep= --max-age= --compress --no-rotate --rotate= --relays --install-links= --drop-in --no-scope --linger -p --pid -g --pgid -a --always --continue --on-exit= --no-record --jobs --json --log= -f --follow -n --lines= --wait= --kill= --signal= --help --version' \
        ids
} &&
    complete -F _nohupx nohupx

_detach()
{
    _nohupx_complete '-C --chdir --umask -o --output --stderr --max-size --keep --max-age --pidfile --timeout -u --user --on-exit' \
        '-C --chdir= --umask= --keep-fds -o --output= --stderr= --max-size= --keep= --max-age= --compress --no-rotate -p --print-pid -w --wait --pidfile= --ready --timeout= -u --user= --on-exit= --no-record --no-scope --linger --help --version'
} &&
    complete -F _detach detach

_reattach_sock()
{
    local cur prev words cword at
    _nohupx_words
    case $prev in
    -u | --user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
    --under) _nohupx_filedir -d; return ;;
    --timeout) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-l --list --json -n --dry-run -w --watch --no-protect --emacs-signal -a --all-users -u --user= --under= --timeout= --help --version' -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi
    COMPREPLY=($(compgen -W 'tmux screen abduco emacs' -- "$cur"))
} &&
    complete -F _reattach_sock reattach-sock

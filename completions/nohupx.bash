# bash completion for nohupx and detach (bash-completion >= 2).
# Options first; from the first word that is not an option on, the rest of
# the line is completed as a command line of its own, as for nohup.

# _nohupx_complete OPTIONS_WITH_ARGS ALL_OPTIONS
_nohupx_complete()
{
    local cur prev words cword
    _init_completion || return
    local with_arg=" $1 " i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --) ((i++)); break ;;
        --*=*) ;;
        -*) [[ $with_arg == *" ${words[i]} "* ]] && ((i++)) ;;
        *) break ;;
        esac
    done
    # nohupx -p / -g take process and group IDs, not a command.
    case " ${words[*]:1:cword-1} " in
    *" -p "* | *" --pid "*) [[ $cur != -* ]] && { _pids; return; } ;;
    *" -g "* | *" --pgid "*) [[ $cur != -* ]] && { _pgids; return; } ;;
    esac
    if ((i < cword)); then
        _command_offset $i
        return
    fi
    case $prev in
    -o | --output | --stderr | --rotate | --pidfile) _filedir; return ;;
    -C | --chdir | --install-links) _filedir -d; return ;;
    -u | --user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
    --ignore) COMPREPLY=($(compgen -W 'HUP INT QUIT TERM CONT TSTP TTIN TTOU USR1 USR2 PIPE ALRM WINCH' -- "$cur")); return ;;
    --max-size | --keep | --max-age | --umask | --timeout) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$2" -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    COMPREPLY=($(compgen -c -- "$cur"))
}

_nohupx()
{
    _nohupx_complete '-o --output --ignore --max-size --keep --max-age --rotate --install-links' \
        '-o --output= -q --quiet --ignore= -s --survive --all-stdio --max-size= --keep= --max-age= --compress --no-rotate --rotate= --relays --install-links= --drop-in -p --pid -g --pgid -a --always --continue --help --version'
} &&
    complete -F _nohupx nohupx

_detach()
{
    _nohupx_complete '-C --chdir --umask -o --output --stderr --max-size --keep --max-age --pidfile --timeout -u --user' \
        '-C --chdir= --umask= --keep-fds -o --output= --stderr= --max-size= --keep= --max-age= --compress --no-rotate -p --print-pid -w --wait --pidfile= --ready --timeout= -u --user= --help --version'
} &&
    complete -F _detach detach

_reattach_sock()
{
    local cur prev words cword
    _init_completion || return
    case $prev in
    -u | --user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
    --under) _filedir -d; return ;;
    --timeout) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-l --list --json -n --dry-run -w --watch --no-protect --emacs-signal -a --all-users -u --user= --under= --timeout= --help --version' -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    COMPREPLY=($(compgen -W 'tmux screen abduco emacs' -- "$cur"))
} &&
    complete -F _reattach_sock reattach-sock

# fish completion for nohupx and detach: options, then a command line.

function __nohupx_jobs
    # the ids of the recorded jobs: the first column of nohupx --jobs
    nohupx --jobs 2>/dev/null | awk 'NR > 1 && $2 ~ /^[0-9]+$/ { print $1 }'
end

function __nohupx_scan
    # what the words typed so far make the next one: options (then the
    # command), pid or pgid (nohupx -p and -g take IDs, not a command), or
    # command (a command word has been typed: the rest is its own)
    set -l words (commandline -opc)
    set -l applet (string replace -r '.*/' '' -- $words[1])
    set -e words[1]
    set -l skip 0
    set -l ids
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case -- '--'
                echo command
                return
            case '-o' '--output' '--ignore' '--max-size' '--keep' '--max-age' '--rotate' '--install-links' '-C' '--chdir' '--umask' '--stderr' '--pidfile' '--timeout' '-u' '--user' '--on-exit' '--log' '-n' '--lines' '--wait' '--kill' '--signal'
                set skip 1
            case '-p' '--pid'
                test $applet = nohupx; and set ids pid
            case '-g' '--pgid'
                test $applet = nohupx; and set ids pgid
            case '-*'
            case '*'
                if set -q ids[1]
                    echo $ids
                else
                    echo command
                end
                return
        end
    end
    if set -q ids[1]
        echo $ids
    else
        echo options
    end
end

function __nohupx_no_command
    # true while no command word has been typed yet
    test (__nohupx_scan) != command
end

function __nohupx_pgids
    ps -A -o pgid= | string trim | string match -v 0 | sort -un
end

set -l sigs HUP INT QUIT TERM CONT TSTP TTIN TTOU USR1 USR2 PIPE ALRM WINCH

complete -c nohupx -n __nohupx_no_command -s o -l output -r -F -d 'Append redirected output to FILE'
complete -c nohupx -n __nohupx_no_command -s q -l quiet -d 'Do not print the notices'
complete -c nohupx -n __nohupx_no_command -l ignore -x -a "$sigs" -d 'Ignore these signals too'
complete -c nohupx -n __nohupx_no_command -s s -l survive -d 'Outlive every way a login shell ends'
complete -c nohupx -n __nohupx_no_command -l all-stdio -d 'Redirect stdio even when not terminals'
complete -c nohupx -n __nohupx_no_command -l max-size -x -d 'Rotate before the file passes SIZE'
complete -c nohupx -n __nohupx_no_command -l keep -x -d 'Rotated files to keep, 0 for all'
complete -c nohupx -n __nohupx_no_command -l max-age -x -d 'Remove rotated files older than AGE'
complete -c nohupx -n __nohupx_no_command -l compress -d 'Gzip rotated files'
complete -c nohupx -n __nohupx_no_command -l no-rotate -d 'Append to the file directly'
complete -c nohupx -n __nohupx_no_command -l rotate -r -F -d 'Rotate FILE now'
complete -c nohupx -n __nohupx_no_command -l relays -d 'List the running relays'
complete -c nohupx -n __nohupx_no_command -l on-exit -x -d 'Run CMD once the job has ended'
complete -c nohupx -n __nohupx_no_command -l no-record -d 'Do not record the job'
complete -c nohupx -n __nohupx_no_command -l jobs -d 'List the recorded jobs'
complete -c nohupx -n __nohupx_no_command -l json -d 'With --jobs, one JSON object per line'
complete -c nohupx -n __nohupx_no_command -l log -x -a '(__nohupx_jobs)' -d 'Print the output of JOB'
complete -c nohupx -n __nohupx_no_command -s f -l follow -d 'With --log, follow new output'
complete -c nohupx -n __nohupx_no_command -s n -l lines -x -d 'With --log, the last N lines'
complete -c nohupx -n __nohupx_no_command -l wait -x -a '(__nohupx_jobs)' -d 'Wait for JOB, exit with its status'
complete -c nohupx -n __nohupx_no_command -l kill -x -a '(__nohupx_jobs)' -d 'Send SIGTERM to JOB'
complete -c nohupx -n __nohupx_no_command -l signal -x -a 'HUP INT QUIT TERM KILL STOP CONT USR1 USR2' -d 'With --kill, the signal'
complete -c nohupx -n __nohupx_no_command -l install-links -x -a '(__fish_complete_directories)' -d 'Create the applet links in DIR'
complete -c nohupx -n __nohupx_no_command -l drop-in -d 'Also link nohup and setsid'
complete -c nohupx -n __nohupx_no_command -l no-scope -d 'Stay in the login session even where logind kills it'
complete -c nohupx -n __nohupx_no_command -l linger -d 'Ask logind to turn linger on'
complete -c nohupx -n __nohupx_no_command -s p -l pid -d 'Make running processes outlive the session'
complete -c nohupx -n __nohupx_no_command -s g -l pgid -d 'The same for whole process groups'
complete -c nohupx -n __nohupx_no_command -s a -l always -d 'With -p or -g, replace the program\'s own handlers'
complete -c nohupx -n __nohupx_no_command -l continue -d 'With -p or -g, resume a stopped target'
complete -c nohupx -n __nohupx_no_command -l help -d 'Display help'
complete -c nohupx -n __nohupx_no_command -l version -d 'Display version'
complete -c nohupx -n 'test (__nohupx_scan) = options' -x -a '(__fish_complete_command)'
complete -c nohupx -n 'test (__nohupx_scan) = pid' -x -a '(__fish_complete_pids)'
complete -c nohupx -n 'test (__nohupx_scan) = pgid' -x -a '(__nohupx_pgids)'
complete -c nohupx -n 'not __nohupx_no_command' -x -a '(__fish_complete_subcommand)'

complete -c detach -n __nohupx_no_command -s C -l chdir -x -a '(__fish_complete_directories)' -d 'Run in DIR'
complete -c detach -n __nohupx_no_command -l umask -x -d 'Set the umask (octal)'
complete -c detach -n __nohupx_no_command -l keep-fds -d 'Keep inherited descriptors'
complete -c detach -n __nohupx_no_command -s o -l output -r -F -d 'Append output to FILE'
complete -c detach -n __nohupx_no_command -l stderr -r -F -d 'Append stderr to FILE'
complete -c detach -n __nohupx_no_command -l max-size -x -d 'Rotate before the file passes SIZE'
complete -c detach -n __nohupx_no_command -l keep -x -d 'Rotated files to keep, 0 for all'
complete -c detach -n __nohupx_no_command -l max-age -x -d 'Remove rotated files older than AGE'
complete -c detach -n __nohupx_no_command -l compress -d 'Gzip rotated files'
complete -c detach -n __nohupx_no_command -l no-rotate -d 'Append to the file directly'
complete -c detach -n __nohupx_no_command -s p -l print-pid -d 'Print the command pid'
complete -c detach -n __nohupx_no_command -s w -l wait -d 'Wait and return its status'
complete -c detach -n __nohupx_no_command -l pidfile -r -F -d 'Write a locked pidfile'
complete -c detach -n __nohupx_no_command -l ready -d 'Wait for READY=1 (sd_notify)'
complete -c detach -n __nohupx_no_command -l timeout -x -d 'With --ready, give up after DURATION'
complete -c detach -n __nohupx_no_command -s u -l user -x -a '(__fish_complete_users)' -d 'Run as USER'
complete -c detach -n __nohupx_no_command -l no-scope -d 'Stay in the login session even where logind kills it'
complete -c detach -n __nohupx_no_command -l linger -d 'Ask logind to turn linger on'
complete -c detach -n __nohupx_no_command -l on-exit -x -d 'Run CMD once the command has ended'
complete -c detach -n __nohupx_no_command -l no-record -d 'Do not record the job'
complete -c detach -n __nohupx_no_command -l help -d 'Display help'
complete -c detach -n __nohupx_no_command -l version -d 'Display version'
complete -c detach -n __nohupx_no_command -x -a '(__fish_complete_command)'
complete -c detach -n 'not __nohupx_no_command' -x -a '(__fish_complete_subcommand)'

complete -c reattach-sock -s l -l list -d 'Show each server and its state'
complete -c reattach-sock -l json -d 'Print as JSON'
complete -c reattach-sock -s n -l dry-run -d 'Say what would be done'
complete -c reattach-sock -s w -l watch -d 'Keep running and repair each deletion'
complete -c reattach-sock -l no-protect -d 'With --watch, do not lock the socket directories'
complete -c reattach-sock -l emacs-signal -d 'Send SIGUSR1 to Emacs servers'
complete -c reattach-sock -s a -l all-users -d 'The servers of every user'
complete -c reattach-sock -s u -l user -x -a '(__fish_complete_users)' -d 'The servers of USER'
complete -c reattach-sock -l under -x -a '(__fish_complete_directories)' -d 'Only sockets under DIR'
complete -c reattach-sock -l timeout -x -d 'How long to wait'
complete -c reattach-sock -l help -d 'Display help'
complete -c reattach-sock -l version -d 'Display version'
complete -c reattach-sock -x -a 'tmux screen abduco emacs'

# Sourced by run.sh and demo.sh. Ctrl-C signals the terminal's whole foreground process group,
# `make` included, and make then fails with "Interrupt" however cleanly the script stops. So on
# a terminal the script re-runs itself as a job-controlled foreground job: a process group of
# its own that alone receives Ctrl-C, while make simply waits for its exit status.
if [[ -t 0 && -z ${POWERPULSE_FOREGROUND_JOB:-} ]]; then
    set -m
    POWERPULSE_FOREGROUND_JOB=1 "$0" "$@"
    exit $?
fi

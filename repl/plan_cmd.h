/* plan_cmd.h - `dubstage plan PROJECT` (docs/cluster.md): a project's
 * independent render jobs, listed or written for a batch engine (GNU make,
 * GNU parallel, Slurm), and `dubstage plan --fresh SCRIPT`, the test each
 * job runs before rendering. */
#ifndef REPL_PLAN_CMD_H
#define REPL_PLAN_CMD_H

/* argv[0..argc) are the words after `plan`: PROJECT and its options
 * (--make, --parallel, --slurm, --path-map OLD=NEW, --dubstage PATH,
 * --threads N, --log-dir DIR, --lib DIR, --help), or --fresh SCRIPT
 * [--lib DIR...]. stdlib_dir: the standard library's folder. Prints the
 * job list or the job file on stdout, errors on stderr. Returns the exit
 * status: 0; 1 on an error (or, with --fresh, when the script's last render
 * is not up to date); 2 on a usage error. */
int repl_plan(int argc, char **argv, const char *stdlib_dir);

#endif

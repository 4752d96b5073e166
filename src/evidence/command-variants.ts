/**
 * The same command as a model could spell it to get past a rule: through a wrapper that runs it,
 * inside another shell, as a part of a pipeline or list, with its program named by path. Each form
 * still runs the command, so a policy that allows any of them allows the command.
 */
export function commandVariants(command: string): string[] {
  const [program = '', ...rest] = command.split(' ');
  const quoted = `'${command.replaceAll("'", "'\\''")}'`;
  const args = rest.length ? ` ${rest.join(' ')}` : '';
  return [
    command,
    `/usr/bin/${program}${args}`,
    `env ${command}`,
    `env FOO=1 ${command}`,
    `FOO=1 ${command}`,
    `timeout 5 ${command}`,
    `nice -n 5 ${command}`,
    `nohup ${command}`,
    `time ${command}`,
    `stdbuf -o0 ${command}`,
    `setsid ${command}`,
    `command ${command}`,
    `exec ${command}`,
    `sh -c ${quoted}`,
    `bash -c ${quoted}`,
    `bash -lc ${quoted}`,
    `echo x | xargs ${command}`,
    `true && ${command}`,
    `false || ${command}`,
    `${command} | cat`,
    `(${command})`,
    `echo $(${command})`,
    `echo \`${command}\``,
    `find . -maxdepth 0 -exec ${command} \\;`,
    // Programs that run the rest of their command line, which a policy may allow by name.
    `busybox ${command}`,
    `watch -n 1 ${command}`,
    `strace -f ${command}`,
    `ltrace ${command}`,
    `valgrind ${command}`,
    `flock /tmp/lock ${command}`,
    `script -qc ${quoted} /dev/null`,
    `ionice -c 3 ${command}`,
    `taskset 1 ${command}`,
    `prlimit --nofile=64 ${command}`,
    `unbuffer ${command}`,
    `chroot / ${command}`,
    `parallel ::: ${quoted}`,
  ];
}

/** A program's options put before its arguments, as `curl -s x` is still `curl x`. */
export function withOptions(command: string): string[] {
  const space = command.indexOf(' ');
  if (space < 0) return [command, `${command} -v`, `${command} --help`];
  const program = command.slice(0, space);
  const rest = command.slice(space);
  return [command, `${program} -s${rest}`, `${program} --silent${rest}`, `${program} -- ${rest.trim()}`];
}

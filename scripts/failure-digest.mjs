// A node:test reporter that prints, after everything else, one line per failing test with its
// error message: CI keeps only the tail of a long log, and the TAP stream names a failure far
// from where it explains it.
export default async function* failureDigest(source) {
  const failures = [];
  for await (const event of source) {
    if (event.type !== "test:fail") continue;
    const { name, file, details } = event.data;
    const error = details?.error;
    const cause = error?.cause ?? error;
    const message = String(cause?.message ?? cause ?? "failed").replace(/\s+/g, " ");
    const signal = error?.signal ? ` (signal ${error.signal})` : "";
    failures.push(`- ${file ? `${file.replace(/^.*\/dist\//, "")} › ` : ""}${name}${signal}: ${message.slice(0, 800)}`);
  }
  if (failures.length > 0) yield `\n# ${failures.length} failing test(s):\n${failures.join("\n")}\n`;
}

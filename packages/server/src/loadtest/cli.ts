/** `relais load-test`: placeholder until the load tester lands (issue 3). */
export async function runLoadTestCli(_args: string[]): Promise<number> {
  console.error("relais load-test: not implemented yet");
  return 2;
}

// The lab's version, as package.json says (a unit test keeps the two equal):
// recorded in snapshots and results so that they can be reproduced.
export const LAB_VERSION = '0.1.0';

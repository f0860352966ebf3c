// Every image lands under its final name only once complete (docs/
// architecture.md, rule 2): the writers use the one atomic-write helper.
export { writeAtomically } from '../fs/atomic-write.js';

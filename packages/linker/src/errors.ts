/** A program or capability set that cannot be linked; the message names what and why. */
export class LinkError extends Error {
  override name = 'LinkError';
}

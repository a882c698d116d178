/**
 * An offline structural check on a candidate secret (a CRC suffix, a decodable layout). A candidate
 * that fails is not a finding: the check proves it cannot be a real credential of that kind.
 */
export interface Checksum {
  readonly name: string;
  readonly description: string;
  validate(secret: string): boolean;
}

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * A SCRAM-SHA-256 verifier (RFC 5802/7677), the form PostgreSQL stores a password in: `CREATE/ALTER ROLE … PASSWORD`
 * given one stores it as it is, so the password itself never appears in SQL text, the server's log or
 * pg_stat_statements. Our passwords are random base64url tokens, which SASLprep leaves unchanged.
 */
const ITERATIONS = 4096; // PostgreSQL's own default (scram_iterations)

export function scramVerifier(password: string, salt = randomBytes(16), iterations = ITERATIONS): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  const saltPart = `${iterations}:${salt.toString('base64')}`;
  const keysPart = `${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
  return `SCRAM-SHA-256$${saltPart}$${keysPart}`;
}

// The App's own JSON Web Token (RS256, signed with its private key): what GitHub wants before it hands out an
// installation token. Backdated a minute for clock drift and valid for 9 of GitHub's allowed 10 minutes.
import { createSign, type KeyObject } from "node:crypto";

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export interface AppJwtClaims {
  iat: number;
  exp: number;
  iss: string;
}

export function appJwtClaims(appId: string, nowMs: number): AppJwtClaims {
  const now = Math.floor(nowMs / 1000);
  return { iat: now - 60, exp: now + 9 * 60, iss: appId };
}

export function signAppJwt(appId: string, privateKey: KeyObject, nowMs: number): string {
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify(appJwtClaims(appId, nowMs)));
  const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${b64url(signature)}`;
}

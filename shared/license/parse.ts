import { decodeBase64, decodeBase64Url, decodeUtf8, encodeUtf8, toHex } from './encoding';
import { checkLicenseText } from './input';
import { rejection, type LicenseRejection, type LocalizedText } from './rejection';
import {
  licenseLimitKinds,
  licenseV3PayloadSchema,
  type LicenseLimit,
  type LicenseLimitKind,
  type LicensePeriod,
  type LicenseServerUrl,
  type LicenseV3Payload,
} from './schema';
import { sha256 } from './sha256';

export const RCV3_PREFIX = 'RCV3_';
/** jose, which Rocket.Chat verifies with, refuses RSA keys under 2048 bits: a shorter signature was cut. */
const MIN_RS256_SIGNATURE_BYTES = 256;
/** Base64 of one 1024-bit RSA block (128 bytes). */
const MIN_V2_BASE64_CHARS = 172;

export interface LicenseSummary {
  /** `trial` wins over `offline`: an offline trial is still a trial. */
  type: 'offline' | 'trial' | 'online';
  id?: string;
  issuedTo: { name?: string; company?: string; email?: string };
  grantedBy: { method: string; seller?: string };
  serverUrls: { value: string; type: string }[];
  validPeriods: { validFrom?: string; validUntil?: string; invalidBehavior: string; modules?: string[] }[];
  modules: string[];
  limits: Partial<Record<LicenseLimitKind, { max: number; behavior: string }[]>>;
  createdAt: string;
  statisticsReportRequired: boolean;
}

export interface ParsedLicenseV3 {
  version: 3;
  /** SHA-256 (hex) of the trimmed license text: what the audit log records instead of the text. */
  fingerprint: string;
  alg: 'RS256';
  header: Record<string, unknown>;
  /** Always false: Rocket.Chat verifies the signature with its own public key when it applies the license. */
  signatureVerified: false;
  signatureBytes: number;
  payload: LicenseV3Payload;
  summary: LicenseSummary;
  notice: LocalizedText;
}

export interface ParsedLicenseV2 {
  version: 2;
  /** Legacy licenses are encrypted: nothing in them can be read before Rocket.Chat decrypts them. */
  opaque: true;
  fingerprint: string;
  encryptedBytes: number;
  notice: LocalizedText;
}

export type ParsedLicense = ParsedLicenseV3 | ParsedLicenseV2;
export type ParseLicenseResult = { ok: true; license: ParsedLicense } | { ok: false; rejection: LicenseRejection };

const SIGNATURE_NOTICE: LocalizedText = {
  en: 'The signature is not verified here: Rocket.Chat verifies it with its own public key when the license is applied.',
  'zh-CN': '此处不验证签名：应用许可证时由 Rocket.Chat 使用其自身的公钥验证。',
};

const V2_NOTICE: LocalizedText = {
  en: 'Legacy (v2) license: it is encrypted, so its site, dates and limits cannot be read before Rocket.Chat decrypts it.',
  'zh-CN': '旧版（v2）许可证：内容已加密，在 Rocket.Chat 解密之前无法读取其站点、有效期和限制。',
};

/** The text the wizard applies and fingerprints: surrounding whitespace and newlines removed. */
export function normalizeLicenseText(text: string): string {
  return text.trim();
}

export function licenseFingerprint(text: string): string {
  return toHex(sha256(encodeUtf8(normalizeLicenseText(text))));
}

/** The fingerprint of an empty `Enterprise_License`: "no license" is a state a revert can aim for. */
export const NO_LICENSE_FINGERPRINT = licenseFingerprint('');

/** The first 12 hex digits and an ellipsis, or "none" for no license: how messages name a license. */
export function shortFingerprint(fingerprint: string | undefined): string {
  return fingerprint === undefined || fingerprint === NO_LICENSE_FINGERPRINT ? 'none' : `${fingerprint.slice(0, 12)}…`;
}

export function parseLicense(text: string): ParseLicenseResult {
  const input = checkLicenseText(text);
  if (!input.ok) return input;
  const license = normalizeLicenseText(text);
  const fingerprint = licenseFingerprint(license);

  if (license.startsWith(RCV3_PREFIX)) return parseV3(license.slice(RCV3_PREFIX.length), fingerprint);
  // A JWT header is base64url JSON, so it starts with `eyJ` (`{"`).
  if (/^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]/.test(license)) {
    return refuse(
      'missing-prefix',
      'This looks like a bare JWT: a Rocket.Chat v3 license starts with RCV3_. Use the license file as issued.',
      '这看起来是一个裸 JWT：Rocket.Chat v3 许可证以 RCV3_ 开头。请使用原始签发的许可证文件。',
    );
  }
  return parseV2(license, fingerprint);
}

function refuse(code: LicenseRejection['code'], en: string, zh: string): ParseLicenseResult {
  return { ok: false, rejection: rejection(code, en, zh) };
}

const PART_NAMES = ['header', 'payload', 'signature'] as const;
const PART_NAMES_ZH = { header: '头部', payload: '载荷', signature: '签名' } as const;

function parseV3(jwt: string, fingerprint: string): ParseLicenseResult {
  if (/\s/.test(jwt)) {
    return refuse(
      'malformed',
      'The license has spaces or line breaks inside it (from copying?); Rocket.Chat would refuse it. Remove them or use the original file.',
      '许可证内部含有空格或换行（可能是复制造成的）；Rocket.Chat 会拒绝它。请删除这些字符或使用原始文件。',
    );
  }
  const parts = jwt.split('.');
  if (parts.length < 3) {
    return refuse(
      'truncated',
      `The license is cut short: its JWT has ${parts.length} of 3 parts (header.payload.signature).`,
      `许可证不完整：其 JWT 只有 3 个部分中的 ${parts.length} 个（头部.载荷.签名）。`,
    );
  }
  if (parts.length > 3) {
    return refuse(
      'malformed',
      `The license's JWT has ${parts.length} parts; a signed JWT has exactly 3.`,
      `许可证的 JWT 有 ${parts.length} 个部分；已签名的 JWT 恰好有 3 个部分。`,
    );
  }
  const emptyIndex = parts.findIndex((part) => part === '');
  if (emptyIndex >= 0) {
    const name = PART_NAMES[emptyIndex] ?? 'signature';
    return refuse(
      'truncated',
      `The license is cut short: the JWT ${name} is empty.`,
      `许可证不完整：JWT 的${PART_NAMES_ZH[name]}为空。`,
    );
  }
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;

  const header = decodeJsonPart(headerPart, 'header');
  if (!header.ok) return header.result;
  const alg = header.value.alg;
  if (alg !== 'RS256') {
    const shown = typeof alg === 'string' ? alg.slice(0, 20) : 'none given';
    return refuse(
      'unsupported-alg',
      `The license is signed with "${shown}"; Rocket.Chat licenses are signed with RS256.`,
      `许可证的签名算法为“${shown}”；Rocket.Chat 许可证使用 RS256 签名。`,
    );
  }

  const payload = decodeJsonPart(payloadPart, 'payload');
  if (!payload.ok) return payload.result;

  const signature = decodeBase64Url(signaturePart);
  if (signature === undefined) return badEncoding('signature', signaturePart);
  if (signature.length < MIN_RS256_SIGNATURE_BYTES) {
    return refuse(
      'truncated',
      `The license is cut short: its signature is ${signature.length} bytes; an RS256 signature is at least ${MIN_RS256_SIGNATURE_BYTES}.`,
      `许可证不完整：其签名只有 ${signature.length} 字节；RS256 签名至少为 ${MIN_RS256_SIGNATURE_BYTES} 字节。`,
    );
  }

  const parsed = licenseV3PayloadSchema.safeParse(payload.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const missing = issue?.code === 'invalid_type' && issue.message.includes('undefined');
    return refuse(
      'malformed',
      missing
        ? `The license payload lacks the required field ${path}.`
        : `The license payload has an invalid field ${path} (${issue?.message ?? 'invalid'}).`,
      missing ? `许可证载荷缺少必需字段 ${path}。` : `许可证载荷的字段 ${path} 无效。`,
    );
  }

  return {
    ok: true,
    license: {
      version: 3,
      fingerprint,
      alg: 'RS256',
      header: header.value,
      signatureVerified: false,
      signatureBytes: signature.length,
      payload: parsed.data,
      summary: summarize(parsed.data),
      notice: SIGNATURE_NOTICE,
    },
  };
}

type JsonPart = { ok: true; value: Record<string, unknown> } | { ok: false; result: ParseLicenseResult };

function decodeJsonPart(part: string, name: 'header' | 'payload'): JsonPart {
  const bytes = decodeBase64Url(part);
  if (bytes === undefined) return { ok: false, result: badEncoding(name, part) };
  const json = decodeUtf8(bytes);
  let value: unknown;
  try {
    value = json === undefined ? undefined : JSON.parse(json);
  } catch {
    value = undefined;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return { ok: true, value: value as Record<string, unknown> };
  }
  // JSON that opens an object but never closes it is a cut-off payload.
  const cut = json !== undefined && json.trimStart().startsWith('{') && !json.trimEnd().endsWith('}');
  return {
    ok: false,
    result: cut
      ? refuse(
          'truncated',
          `The license is cut short: the JWT ${name} is incomplete JSON.`,
          `许可证不完整：JWT 的${PART_NAMES_ZH[name]}是不完整的 JSON。`,
        )
      : refuse(
          'malformed',
          `The license's JWT ${name} is not a JSON object.`,
          `许可证 JWT 的${PART_NAMES_ZH[name]}不是 JSON 对象。`,
        ),
  };
}

function badEncoding(name: (typeof PART_NAMES)[number], part: string): ParseLicenseResult {
  // One base64url digit left over means the part ends mid-byte: it was cut.
  if (/^[A-Za-z0-9_-]*$/.test(part) && part.length % 4 === 1) {
    return refuse(
      'truncated',
      `The license is cut short: the JWT ${name} ends in the middle of a byte.`,
      `许可证不完整：JWT 的${PART_NAMES_ZH[name]}在字节中间被截断。`,
    );
  }
  return refuse(
    'malformed',
    `The license's JWT ${name} is not valid base64url.`,
    `许可证 JWT 的${PART_NAMES_ZH[name]}不是有效的 base64url。`,
  );
}

/** Legacy v2: one base64 blob that only Rocket.Chat's key decrypts (line-wrapped copies are fine). */
function parseV2(license: string, fingerprint: string): ParseLicenseResult {
  const blob = license.replace(/\r?\n/g, '');
  // RSA output is as long as the key: anything shorter than a 1024-bit block is no v2 license.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length < MIN_V2_BASE64_CHARS) {
    return refuse(
      'unrecognised',
      'This is not a Rocket.Chat license: it neither starts with RCV3_ nor is a base64 (legacy v2) license.',
      '这不是 Rocket.Chat 许可证：它既不以 RCV3_ 开头，也不是 base64 编码的（旧版 v2）许可证。',
    );
  }
  const encrypted = decodeBase64(blob);
  if (encrypted === undefined) {
    return refuse(
      'truncated',
      `The legacy (v2) license is cut short: ${blob.length} base64 characters is not a whole number of groups of 4.`,
      `旧版（v2）许可证不完整：${blob.length} 个 base64 字符不是 4 的整数倍。`,
    );
  }
  return { ok: true, license: { version: 2, opaque: true, fingerprint, encryptedBytes: encrypted.length, notice: V2_NOTICE } };
}

function summarize(payload: LicenseV3Payload): LicenseSummary {
  const { information, validation } = payload;
  const limits: LicenseSummary['limits'] = {};
  for (const kind of licenseLimitKinds) {
    const list = payload.limits[kind];
    if (list && list.length > 0) limits[kind] = list.map(({ max, behavior }: LicenseLimit) => ({ max, behavior }));
  }
  return {
    type: information.trial ? 'trial' : information.offline ? 'offline' : 'online',
    id: information.id,
    issuedTo: {
      name: information.grantedTo?.name,
      company: information.grantedTo?.company,
      email: information.grantedTo?.email,
    },
    grantedBy: { method: information.grantedBy.method, seller: information.grantedBy.seller },
    serverUrls: validation.serverUrls.map(({ value, type }: LicenseServerUrl) => ({ value, type })),
    validPeriods: validation.validPeriods.map(({ validFrom, validUntil, invalidBehavior, modules }: LicensePeriod) => ({
      validFrom,
      validUntil,
      invalidBehavior,
      modules,
    })),
    modules: payload.grantedModules.map(({ module }) => module),
    limits,
    createdAt: information.createdAt,
    statisticsReportRequired: validation.statisticsReport.required,
  };
}

/** QR codes through the real API: create, change, delete, the images and the redirect they encode. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";

let gateway: TestGateway;
const tokens: Record<string, string> = {};
let bryggen: { id: string; msn: string };
let vesterbro: { id: string };

beforeAll(async () => {
  gateway = await startTestGateway({ PUBLIC_BASE_URL: "https://pay.example.no/" });
  for (const key of ["no-admin", "no-sum", "no-sum-dev", "no-assistant", "dk-admin"]) tokens[key] = await gateway.login(key);
  const msn = gateway.persona("no-sum").salesUnits[0]!;
  bryggen = (await gateway.graphql<{ salesUnit: typeof bryggen }>(tokens["no-sum"]!, `{ salesUnit(msn: "${msn}") { id msn } }`)).data!.salesUnit;
  const dkUnits = await gateway.graphql<{ salesUnits: { nodes: { id: string; status: string }[] } }>(tokens["dk-admin"]!, "{ salesUnits(first: 20) { nodes { id status } } }");
  vesterbro = dkUnits.data!.salesUnits.nodes.find((u) => u.status === "DEACTIVATED")!;
});
afterAll(async () => gateway?.stop());

type Result = { __typename: string; code?: string; field?: string; message?: string; data?: QrData | string };
type QrData = { id: string; name: string; url: string; svgUrl: string; pngUrl: string; redirectUrl: string };

const QR_FIELDS = "id name url svgUrl pngUrl redirectUrl";
const CREATE = `mutation($input: CreateQrCodeInput!) { createQrCode(input: $input) {
  __typename ... on MutationCreateQrCodeSuccess { data { ${QR_FIELDS} } } ... on Error { code message } ... on ValidationError { field } ... on ConflictError { field } } }`;
const UPDATE = `mutation($input: UpdateQrCodeInput!) { updateQrCode(input: $input) {
  __typename ... on MutationUpdateQrCodeSuccess { data { ${QR_FIELDS} } } ... on Error { code message } ... on ValidationError { field } ... on ConflictError { field } } }`;
const DELETE = `mutation($input: DeleteQrCodeInput!) { deleteQrCode(input: $input) { __typename ... on MutationDeleteQrCodeSuccess { data } ... on Error { code } } }`;

async function create(token: string, input: Record<string, unknown>) {
  return gateway.graphql<{ createQrCode: Result }>(token, CREATE, { input: { salesUnitId: bryggen.id, ...input } });
}

async function createOk(name: string, url = "https://fjordkaffe.no/meny") {
  const response = await create(tokens["no-sum"]!, { name, url });
  expect(response.data!.createQrCode.__typename).toBe("MutationCreateQrCodeSuccess");
  return response.data!.createQrCode.data as QrData;
}

async function snapshot() {
  const db = gateway.services.db;
  return { qrCodes: await db.qrCode.findMany({ orderBy: { id: "asc" } }), audit: await db.auditEvent.count() };
}

/** Links the API hands out are absolute (PUBLIC_BASE_URL); the test asks the running gateway for the same path. */
function download(url: string, token: string | null = tokens["no-sum"]!) {
  const { pathname, search } = new URL(url, gateway.url);
  return fetch(`${gateway.url}${pathname}${search}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, redirect: "manual" });
}

const uuidOf = (qr: QrData) => /\/qr\/([0-9a-f-]{36})\.svg$/.exec(qr.svgUrl)![1]!;
const uuidOfUnit = (globalId: string) => Buffer.from(globalId, "base64").toString("utf8").replace(/^SalesUnit:/, "");

describe("createQrCode", () => {
  it("creates a code for a Sales Unit Manager's unit, with download links and an audit event", async () => {
    const qr = await createOk("Bordkort terrassen", "https://fjordkaffe.no/terrasse");
    const id = uuidOf(qr);
    expect(qr).toMatchObject({ name: "Bordkort terrassen", url: "https://fjordkaffe.no/terrasse", svgUrl: `https://pay.example.no/qr/${id}.svg`, pngUrl: `https://pay.example.no/qr/${id}.png` });
    expect(qr.redirectUrl).toBe(`https://pay.example.no/r/${id}`);
    const audit = await gateway.services.db.auditEvent.findFirst({ where: { action: "qrCode.create", objectId: id } });
    expect(audit).toMatchObject({ actorKind: "USER", objectType: "QrCode", data: { name: "Bordkort terrassen", url: "https://fjordkaffe.no/terrasse" } });
  });

  it("accepts names of 1 and 128 characters, trimmed", async () => {
    expect((await createOk(" A ")).name).toBe("A");
    expect((await createOk("Ø".repeat(128))).name).toBe("Ø".repeat(128));
  });

  it.each([
    ["an empty name", { name: "  ", url: "https://fjordkaffe.no/" }, "name"],
    ["a name of 129 characters", { name: "x".repeat(129), url: "https://fjordkaffe.no/" }, "name"],
    ["an http URL", { name: "Plain http", url: "http://fjordkaffe.no/" }, "url"],
    ["a URL that is not one", { name: "Not a URL", url: "fjordkaffe dot no" }, "url"],
    ["a URL without a domain", { name: "Intranet", url: "https://intranet/" }, "url"],
  ])("refuses %s, naming the field, and changes nothing", async (_what, input, field) => {
    const before = await snapshot();
    const response = await create(tokens["no-sum"]!, input);
    expect(response.data!.createQrCode).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED", field });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a name the sales unit already uses", async () => {
    await createOk("Kassen");
    const before = await snapshot();
    const response = await create(tokens["no-sum"]!, { name: "Kassen", url: "https://fjordkaffe.no/other" });
    expect(response.data!.createQrCode).toMatchObject({ __typename: "ConflictError", code: "CONFLICT", field: "name" });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a deactivated sales unit", async () => {
    const before = await snapshot();
    const response = await gateway.graphql<{ createQrCode: Result }>(tokens["dk-admin"]!, CREATE, { input: { salesUnitId: vesterbro.id, name: "Dør", url: "https://hyggecykler.dk/" } });
    expect(response.data!.createQrCode).toMatchObject({ __typename: "InvalidStateError", code: "INVALID_STATE" });
    expect(await snapshot()).toEqual(before);
  });

  it("is refused to an Assistant and to another merchant, changing nothing", async () => {
    const before = await snapshot();
    const assistantUnit = gateway.persona("no-assistant").salesUnits[0]!;
    const unitId = (await gateway.graphql<{ salesUnit: { id: string } }>(tokens["no-assistant"]!, `{ salesUnit(msn: "${assistantUnit}") { id } }`)).data!.salesUnit.id;
    const assistant = await gateway.graphql(tokens["no-assistant"]!, CREATE, { input: { salesUnitId: unitId, name: "Nope", url: "https://fjordkaffe.no/" } });
    expect(assistant.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const foreign = await create(tokens["dk-admin"]!, { name: "Mine", url: "https://hyggecykler.dk/" });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });
});

describe("updateQrCode", () => {
  it("changes the URL and keeps the image; the redirect follows the new URL", async () => {
    const qr = await createOk("Vindu sør", "https://fjordkaffe.no/gammel");
    const svgBefore = await (await download(qr.svgUrl)).text();
    const pngBefore = Buffer.from(await (await download(qr.pngUrl)).arrayBuffer());
    const response = await gateway.graphql<{ updateQrCode: Result }>(tokens["no-sum"]!, UPDATE, { input: { qrCodeId: qr.id, url: "https://fjordkaffe.no/ny" } });
    expect(response.data!.updateQrCode).toMatchObject({ __typename: "MutationUpdateQrCodeSuccess", data: { name: "Vindu sør", url: "https://fjordkaffe.no/ny" } });
    expect(await (await download(qr.svgUrl)).text()).toBe(svgBefore);
    expect(Buffer.from(await (await download(qr.pngUrl)).arrayBuffer()).equals(pngBefore)).toBe(true);
    const redirect = await download(`/r/${uuidOf(qr)}`, null);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("https://fjordkaffe.no/ny");
    const audit = await gateway.services.db.auditEvent.findFirst({ where: { action: "qrCode.update", objectId: uuidOf(qr) } });
    expect(audit?.data).toEqual({ before: { name: "Vindu sør", url: "https://fjordkaffe.no/gammel" }, after: { name: "Vindu sør", url: "https://fjordkaffe.no/ny" } });
  });

  it("renames, keeping its own name free to reuse", async () => {
    const qr = await createOk("Gammelt navn");
    const same = await gateway.graphql<{ updateQrCode: Result }>(tokens["no-sum"]!, UPDATE, { input: { qrCodeId: qr.id, name: "Gammelt navn" } });
    expect(same.data!.updateQrCode.__typename).toBe("MutationUpdateQrCodeSuccess");
    const renamed = await gateway.graphql<{ updateQrCode: Result }>(tokens["no-sum"]!, UPDATE, { input: { qrCodeId: qr.id, name: "Nytt navn" } });
    expect(renamed.data!.updateQrCode).toMatchObject({ data: { name: "Nytt navn" } });
  });

  it.each([
    ["nothing to change", {}, "ValidationError", "name"],
    ["an http URL", { url: "http://fjordkaffe.no/" }, "ValidationError", "url"],
    ["a name of 129 characters", { name: "x".repeat(129) }, "ValidationError", "name"],
    ["a name another code has", { name: "Bordkort Bryggen" }, "ConflictError", "name"],
  ])("refuses %s and changes nothing", async (_what, changes, typename, field) => {
    const qr = await createOk(`Update target ${typename} ${field} ${Object.keys(changes).length}`);
    const before = await snapshot();
    const response = await gateway.graphql<{ updateQrCode: Result }>(tokens["no-sum"]!, UPDATE, { input: { qrCodeId: qr.id, ...changes } });
    expect(response.data!.updateQrCode).toMatchObject({ __typename: typename, field });
    expect(await snapshot()).toEqual(before);
  });

  it("gives another merchant the same FORBIDDEN as a code that does not exist", async () => {
    const qr = await createOk("Privat");
    const before = await snapshot();
    const foreign = await gateway.graphql(tokens["dk-admin"]!, UPDATE, { input: { qrCodeId: qr.id, url: "https://evil.example.com/" } });
    const missing = await gateway.graphql(tokens["dk-admin"]!, UPDATE, {
      input: { qrCodeId: encodeGlobalID("QrCode", "6b1f7c2e-0000-4000-8000-000000000000"), url: "https://evil.example.com/" },
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(missing.errors?.[0]).toEqual(foreign.errors?.[0]);
    expect(await snapshot()).toEqual(before);
  });
});

describe("deleteQrCode", () => {
  it("deletes the code; its image and redirect are gone", async () => {
    const qr = await createOk("Kortvarig");
    const response = await gateway.graphql<{ deleteQrCode: Result }>(tokens["no-sum"]!, DELETE, { input: { qrCodeId: qr.id } });
    expect(response.data!.deleteQrCode).toEqual({ __typename: "MutationDeleteQrCodeSuccess", data: qr.id });
    expect(await gateway.services.db.qrCode.count({ where: { id: uuidOf(qr) } })).toBe(0);
    expect(await gateway.services.db.auditEvent.count({ where: { action: "qrCode.delete", objectId: uuidOf(qr) } })).toBe(1);
    expect((await download(qr.svgUrl)).status).toBe(404);
    expect((await download(`/r/${uuidOf(qr)}`, null)).status).toBe(404);
  });

  it("is refused to an Assistant, changing nothing", async () => {
    const qr = await createOk("Bli her");
    const before = await snapshot();
    const response = await gateway.graphql(tokens["no-assistant"]!, DELETE, { input: { qrCodeId: qr.id } });
    expect(response.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });
});

describe("GET /qr/<id>.svg and .png", () => {
  let qr: QrData;
  beforeAll(async () => {
    qr = await createOk("Nedlasting");
  });

  const pngWidth = (png: Buffer) => ({ signature: png.subarray(1, 4).toString("latin1"), chunk: png.subarray(12, 16).toString("latin1"), width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

  it("serves an SVG", async () => {
    const response = await download(qr.svgUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(response.headers.get("content-disposition")).toContain("attachment");
    const svg = await response.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });

  it.each([
    [undefined, 800],
    [100, 100],
    [333, 333],
    [2000, 2000],
  ])("serves a PNG of size %s as a square of %i pixels", async (size, expected) => {
    const response = await download(`${qr.pngUrl}${size === undefined ? "" : `?size=${size}`}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(pngWidth(Buffer.from(await response.arrayBuffer()))).toEqual({ signature: "PNG", chunk: "IHDR", width: expected, height: expected });
  });

  it.each(["99", "2001", "abc", "800.5", ""])("answers 400 for size=%s", async (size) => {
    const response = await download(`${qr.pngUrl}?size=${size}`);
    expect(response.status).toBe(400);
  });

  it("hands out pngUrl only for a size the image serves: another is VALIDATION_FAILED, not an address that answers 400", async () => {
    const query = `query($id: ID!, $size: Int) { node(id: $id) { ... on QrCode { pngUrl(size: $size) } } }`;
    const sized = await gateway.graphql<{ node: { pngUrl: string } }>(tokens["no-sum"]!, query, { id: qr.id, size: 333 });
    expect(sized.data!.node.pngUrl).toBe(`${qr.pngUrl}?size=333`);
    for (const size of [0, 99, 2001]) {
      const refused = await gateway.graphql(tokens["no-sum"]!, query, { id: qr.id, size });
      expect(refused.errors?.[0]?.extensions?.code, String(size)).toBe("VALIDATION_FAILED");
    }
  });

  it("answers 401 without a token or with a bad one", async () => {
    expect((await download(qr.svgUrl, null)).status).toBe(401);
    expect((await download(qr.pngUrl, "not-a-jwt")).status).toBe(401);
  });

  it("answers 404 to a Sales Unit Manager of another unit, another merchant, and for unknown ids", async () => {
    expect((await download(qr.svgUrl, tokens["no-sum-dev"]!)).status).toBe(404);
    expect((await download(qr.pngUrl, tokens["dk-admin"]!)).status).toBe(404);
    expect((await download("/qr/6b1f7c2e-0000-4000-8000-000000000000.svg")).status).toBe(404);
    expect((await download("/qr/not-an-id.svg")).status).toBe(404);
    expect((await download(`/qr/${uuidOf(qr)}.gif`)).status).toBe(404);
  });

  it("serves the Administrator too", async () => {
    expect((await download(qr.svgUrl, tokens["no-admin"]!)).status).toBe(200);
  });
});

describe("GET /r/<id>", () => {
  it("redirects without a token and is not cached", async () => {
    const qr = await createOk("Offentlig", "https://fjordkaffe.no/velkommen?bord=4");
    const response = await download(`/r/${uuidOf(qr)}`, null);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://fjordkaffe.no/velkommen?bord=4");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("answers 404 for unknown and malformed ids", async () => {
    expect((await download("/r/6b1f7c2e-0000-4000-8000-000000000000", null)).status).toBe(404);
    expect((await download("/r/nope", null)).status).toBe(404);
  });

  it("stores and redirects to an address with letters outside ASCII in its standard, encoded form", async () => {
    const addresses: [string, string][] = [
      ["https://fjordkaffe.no/meny/bløtkake", "https://fjordkaffe.no/meny/bl%C3%B8tkake"],
      ["https://fjordkaffe.no/kaffe/€5", "https://fjordkaffe.no/kaffe/%E2%82%AC5"],
      ["https://blåbær.no/☕?bord=4", "https://xn--blbr-roah.no/%E2%98%95?bord=4"],
    ];
    for (const [written, standard] of addresses) {
      const qr = await createOk(`Koder ${standard.length}`, written);
      expect(qr.url).toBe(standard);
      const response = await download(`/r/${uuidOf(qr)}`, null);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(standard);
    }
    // One stored before addresses were: put in its standard form on the way out.
    const old = await createOk("Lagret før", "https://fjordkaffe.no/");
    await gateway.services.db.qrCode.update({ where: { id: uuidOf(old) }, data: { url: "https://fjordkaffe.no/meny/bløtkake" } });
    const response = await download(`/r/${uuidOf(old)}`, null);
    expect([response.status, response.headers.get("location")]).toEqual([302, "https://fjordkaffe.no/meny/bl%C3%B8tkake"]);
  });

  it("answers 410 for a code of a deactivated sales unit: a closed unit's printed codes lead nowhere", async () => {
    const [code] = await gateway.services.db.qrCode.findMany({ where: { salesUnitId: uuidOfUnit(vesterbro.id) }, take: 1 });
    const id = code?.id ?? (await gateway.services.db.qrCode.create({ data: { salesUnitId: uuidOfUnit(vesterbro.id), name: "Kasse", url: "https://hygge.dk/" } })).id;
    const response = await download(`/r/${id}`, null);
    expect(response.status).toBe(410);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, DEFAULT_CONFIG, type LoadConfigOptions, loadConfig, mediaWorkerCount } from "./config.js";

const dir = mkdtempSync(path.join(tmpdir(), "relais-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes a YAML configuration file and returns its path. */
function yamlFile(text: string): string {
  const file = path.join(dir, `relais-${++files}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** Never reads the real process environment. */
const load = (o: LoadConfigOptions = {}) => loadConfig({ env: {}, ...o });

function throwsConfig(o: LoadConfigOptions, message: RegExp): void {
  assert.throws(
    () => load(o),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `a ConfigError, got ${String(err)}`);
      assert.equal(err.name, "ConfigError");
      assert.match(err.message, message);
      return true;
    },
  );
}

describe("loadConfig: defaults", () => {
  it("no file, no environment: the defaults with an absolute dataDir", () => {
    const c = load();
    assert.deepEqual(c, { ...DEFAULT_CONFIG, dataDir: path.resolve(".relais") });
    assert.ok(path.isAbsolute(c.dataDir));
    assert.equal(c.http.port, 7880);
    assert.deepEqual(c.media.announcedAddresses, ["127.0.0.1"]);
    assert.deepEqual(c.iceServers, [], "no public STUN by default");
  });

  it("dataDir is resolved against the working directory; absolute paths are kept", () => {
    assert.equal(load({ overrides: { dataDir: "var/relais" } }).dataDir, path.join(process.cwd(), "var", "relais"));
    assert.equal(load({ overrides: { dataDir: "/srv/relais/../relais" } }).dataDir, path.resolve("/srv/relais"));
  });

  it("loading never mutates DEFAULT_CONFIG", () => {
    const before = JSON.stringify(DEFAULT_CONFIG);
    load({ file: yamlFile("http:\n  port: 1\nmedia:\n  videoCodecs: [VP9]\n"), overrides: { rooms: { maxParticipants: 2 } } });
    assert.equal(JSON.stringify(DEFAULT_CONFIG), before);
  });
});

describe("loadConfig: YAML file", () => {
  it("deep-merges the file over the defaults", () => {
    const file = yamlFile(`
http:
  port: 8443
  publicUrl: https://meet.example.org
media:
  announcedAddresses: [192.0.2.10, "2001:db8::1"]
  videoCodecs: [VP8, VP9]
rooms:
  maxParticipants: 8
iceServers:
  - urls: ["turn:turn.example.org:3478"]
    username: relais
    credential: secret
`);
    const c = load({ file });
    assert.equal(c.http.port, 8443);
    assert.equal(c.http.publicUrl, "https://meet.example.org");
    assert.equal(c.http.bindAddress, "127.0.0.1", "siblings keep their defaults");
    assert.deepEqual(c.media.announcedAddresses, ["192.0.2.10", "2001:db8::1"]);
    assert.deepEqual(c.media.videoCodecs, ["VP8", "VP9"], "lists are replaced, not merged");
    assert.equal(c.media.udpPort, 7882);
    assert.equal(c.rooms.maxParticipants, 8);
    assert.equal(c.rooms.autoCreate, true);
    assert.deepEqual(c.iceServers, [{ urls: ["turn:turn.example.org:3478"], username: "relais", credential: "secret" }]);
  });

  it("RELAIS_CONFIG names the file when no file option is given", () => {
    assert.equal(loadConfig({ env: { RELAIS_CONFIG: yamlFile("http:\n  port: 9001\n") } }).http.port, 9001);
  });

  it("an empty file (or only comments) means the defaults", () => {
    assert.equal(load({ file: yamlFile("") }).http.port, 7880);
    assert.equal(load({ file: yamlFile("# nothing yet\n") }).http.port, 7880);
  });

  it("unreadable, invalid or non-mapping files", () => {
    throwsConfig({ file: path.join(dir, "missing.yaml") }, /cannot read configuration file .*missing\.yaml/);
    throwsConfig({ file: yamlFile("http: [unclosed\n") }, /cannot read configuration file/);
    throwsConfig({ file: yamlFile("- a\n- b\n") }, /the configuration must be a mapping/);
  });
});

describe("loadConfig: environment", () => {
  it("maps RELAIS_* variables onto the keys, with types", () => {
    const c = load({
      env: {
        RELAIS_HTTP_PORT: "8080",
        RELAIS_MEDIA_ANNOUNCED_ADDRESSES: "192.0.2.10, 2001:db8::1,",
        RELAIS_MEDIA_ENABLE_UDP: "false",
        RELAIS_MEDIA_CONSENT_TIMEOUT_S: "10",
        RELAIS_ROOMS_AUTO_CREATE: "0",
        RELAIS_DATA_DIR: "/var/lib/relais",
        RELAIS_LOG_LEVEL: "debug",
        RELAIS_HTTP_TLS_CERT_FILE: "/etc/relais/cert.pem",
        RELAIS_HTTP_TLS_KEY_FILE: "/etc/relais/key.pem",
        RELAIS_UNRELATED: "ignored",
      },
    });
    assert.equal(c.http.port, 8080);
    assert.deepEqual(c.media.announcedAddresses, ["192.0.2.10", "2001:db8::1"]);
    assert.equal(c.media.enableUdp, false);
    assert.equal(c.media.enableTcp, true);
    assert.equal(c.media.consentTimeoutS, 10);
    assert.equal(c.rooms.autoCreate, false);
    assert.equal(c.dataDir, path.resolve("/var/lib/relais"));
    assert.equal(c.log.level, "debug");
    assert.deepEqual([c.http.tlsCertFile, c.http.tlsKeyFile], ["/etc/relais/cert.pem", "/etc/relais/key.pem"]);
  });

  it("booleans accept true/false/1/0 in any case", () => {
    assert.equal(load({ env: { RELAIS_MEDIA_ENABLE_TCP: "FALSE" } }).media.enableTcp, false);
    assert.equal(load({ env: { RELAIS_ROOMS_AUTO_CREATE: "True" } }).rooms.autoCreate, true);
    assert.equal(load({ env: { RELAIS_ROOMS_AUTO_CREATE: "1" } }).rooms.autoCreate, true);
  });

  it("refuses values of the wrong type", () => {
    throwsConfig({ env: { RELAIS_HTTP_PORT: "http" } }, /RELAIS_HTTP_PORT must be a number/);
    throwsConfig({ env: { RELAIS_HTTP_PORT: " " } }, /RELAIS_HTTP_PORT must be a number/);
    throwsConfig({ env: { RELAIS_MEDIA_ENABLE_TCP: "yes" } }, /RELAIS_MEDIA_ENABLE_TCP must be true or false/);
    throwsConfig({ env: { RELAIS_ICE_SERVERS: "turn:x" } }, /RELAIS_ICE_SERVERS: set ICE servers in the configuration file/);
  });
});

describe("loadConfig: precedence file < environment < overrides", () => {
  const file = yamlFile("http:\n  port: 8000\n  bindAddress: 0.0.0.0\nrooms:\n  maxParticipants: 10\n");
  const env = { RELAIS_HTTP_PORT: "9000", RELAIS_ROOMS_MAX_PARTICIPANTS: "20" };

  it("the environment wins over the file", () => {
    const c = loadConfig({ file, env });
    assert.deepEqual([c.http.port, c.rooms.maxParticipants, c.http.bindAddress], [9000, 20, "0.0.0.0"]);
  });

  it("overrides win over both", () => {
    const c = loadConfig({ file, env, overrides: { http: { port: 9100 } } });
    assert.deepEqual([c.http.port, c.rooms.maxParticipants, c.http.bindAddress], [9100, 20, "0.0.0.0"]);
  });
});

describe("loadConfig: validation", () => {
  it("unknown keys name their path", () => {
    throwsConfig({ file: yamlFile("http:\n  prot: 8080\n") }, /^unknown configuration key "http\.prot"$/);
    throwsConfig({ file: yamlFile("mediaa: {}\n") }, /^unknown configuration key "mediaa"$/);
  });

  it("names of inherited object properties are unknown keys too", () => {
    throwsConfig({ file: yamlFile("toString: 1\n") }, /^unknown configuration key "toString"$/);
    throwsConfig({ file: yamlFile("http:\n  constructor: x\n") }, /^unknown configuration key "http\.constructor"$/);
  });

  it("wrong types", () => {
    throwsConfig({ file: yamlFile('http:\n  port: "8080"\n') }, /^"http\.port" must be a number$/);
    throwsConfig({ file: yamlFile("media: 5\n") }, /^"media" must be an object$/);
    throwsConfig({ file: yamlFile("media:\n  announcedAddresses: 192.0.2.1\n") }, /^"media\.announcedAddresses" must be a list$/);
    throwsConfig({ file: yamlFile("rooms:\n  autoCreate: maybe\n") }, /^"rooms\.autoCreate" must be a boolean$/);
  });

  it("bad ports (0 = ephemeral is fine)", () => {
    for (const port of [70000, -1, 80.5]) throwsConfig({ overrides: { http: { port } } }, /^http\.port must be a port number$/);
    throwsConfig({ overrides: { media: { udpPort: 65536 } } }, /^media\.udpPort must be a port number$/);
    throwsConfig({ env: { RELAIS_MEDIA_TCP_PORT: "-5" } }, /^media\.tcpPort must be a port number$/);
    assert.equal(load({ overrides: { http: { port: 0 }, media: { udpPort: 0, tcpPort: 65535 } } }).http.port, 0);
  });

  it("media: transports, profiles, codecs, addresses, workers, consent", () => {
    throwsConfig(
      { overrides: { media: { enableUdp: false, enableTcp: false } } },
      /enable at least one of media\.enableUdp, media\.enableTcp/,
    );
    assert.equal(load({ overrides: { media: { enableUdp: false } } }).media.enableTcp, true);
    throwsConfig({ overrides: { media: { srtpProfiles: [] } } }, /media\.srtpProfiles must not be empty/);
    throwsConfig({ file: yamlFile("media:\n  srtpProfiles: [SRTP_NULL]\n") }, /media\.srtpProfiles: unknown profile SRTP_NULL/);
    throwsConfig({ file: yamlFile("media:\n  videoCodecs: [VP8, HEVC]\n") }, /media\.videoCodecs: unknown codec HEVC/);
    throwsConfig({ env: { RELAIS_MEDIA_ANNOUNCED_ADDRESSES: " , " } }, /media\.announcedAddresses must list at least one address/);
    throwsConfig({ overrides: { media: { workers: 65 } } }, /media\.workers must be 0\.\.64/);
    throwsConfig({ overrides: { media: { consentTimeoutS: 4 } } }, /media\.consentTimeoutS must be at least 5/);
  });

  it("TLS needs both a certificate and a key", () => {
    throwsConfig(
      { overrides: { http: { tlsCertFile: "/etc/relais/cert.pem" } } },
      /set both http\.tlsCertFile and http\.tlsKeyFile, or neither/,
    );
    throwsConfig({ env: { RELAIS_HTTP_TLS_KEY_FILE: "/k.pem" } }, /set both http\.tlsCertFile/);
    const c = load({ overrides: { http: { tlsCertFile: "/c.pem", tlsKeyFile: "/k.pem" } } });
    assert.deepEqual([c.http.tlsCertFile, c.http.tlsKeyFile], ["/c.pem", "/k.pem"]);
  });

  it("rooms and log level", () => {
    throwsConfig({ overrides: { rooms: { maxParticipants: 0 } } }, /rooms\.maxParticipants must be at least 1/);
    throwsConfig({ overrides: { rooms: { resumeWindowS: -1 } } }, /rooms timeouts must not be negative/);
    throwsConfig({ env: { RELAIS_LOG_LEVEL: "verbose" } }, /log\.level must be one of trace, debug, info, warn, error, silent/);
  });
});

describe("mediaWorkerCount", () => {
  it("the configured count, or one per core for 0", () => {
    assert.equal(mediaWorkerCount(load({ overrides: { media: { workers: 3 } } })), 3);
    assert.equal(mediaWorkerCount(load()), availableParallelism());
  });
});

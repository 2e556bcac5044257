import CCKit
import Crypto
import Foundation
import Testing

@Suite("cc-sink webhook")
struct WebhookSinkTests {
    static let key = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"

    /// Events delivered (2xx), counting each idempotency key once.
    static func delivered(_ requests: [WebhookReceiver.Request]) throws -> [String] {
        var seen = Set<String>()
        var events: [String] = []
        for r in requests where (200..<300).contains(r.status) {
            guard let key = r.headers["idempotency-key"], seen.insert(key).inserted else { continue }
            let array = try #require(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [[String: Any]])
            for e in array { events.append("\(e["blockNumber"] ?? ""):\(e["logIndex"] ?? "")") }
        }
        return events
    }

    @Test("batches are JSON arrays with an idempotency key, an HMAC and an Ethereum signature that verify")
    func signatures() throws {
        let receiver = try WebhookReceiver()
        let dir = try SinkTest.tempDir()
        try SinkTest.write("s3cret\n", to: dir + "/secret")
        let input = SinkTest.stream(from: 1, to: 4, markerEvery: 2)
        let r = try SinkTest.run(
            "cc-sink",
            [
                "webhook", receiver.url + "/hook?token=abc", "--secret-file", dir + "/secret", "-H", "X-Team: data",
                "--batch-size", "4",
            ],
            stdin: input, environment: ["CC_SIGNING_KEY": "0x" + Self.key])
        #expect(r.status == 0, "\(r.stderr)")
        let requests = try receiver.requests()
        // Markers after blocks 2 and 4 cut the batches; size 4 cuts the 6 events of each pair of blocks.
        #expect(requests.map { ($0.body.components(separatedBy: "\"logIndex\"").count - 1) } == [4, 2, 4, 2])
        let signer = ChecksumAddress.string(try Secp256k1.address(privateKey: Hex.decode(Self.key)!))
        for req in requests {
            let body = Array(req.body.utf8)
            #expect(req.headers["content-type"] == "application/json")
            #expect(req.headers["x-team"] == "data")
            #expect(req.headers["idempotency-key"] == Hex.encode(Array(SHA256.hash(data: body)), prefix: false))
            let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array("s3cret".utf8)))
            #expect(req.headers["x-chaincast-signature"] == "sha256=" + Hex.encode(Array(mac), prefix: false))
            #expect(req.headers["x-chaincast-signer"] == signer)
            let sig = try #require(Hex.decode(req.headers["x-chaincast-eth-signature"] ?? ""))
            #expect(sig.count == 65)
            let recovered = try #require(
                Secp256k1.recoverAddress(hash: EIP191.personalMessageHash(body), signature65: sig))
            #expect(ChecksumAddress.string(recovered) == signer)
        }
        #expect(try Self.delivered(requests) == SinkTest.expectedKeys(from: 1, to: 4))
        // The secret never shows up in messages; the URL's query is redacted.
        #expect(!r.stderr.contains("s3cret") && !r.stderr.contains("token"))
    }

    @Test("5xx, dropped connections, timeouts and 429 with Retry-After are retried until delivered")
    func retries() throws {
        let receiver = try WebhookReceiver(responses: ["500", "503", "close", "429:1", "timeout:3", "502"])
        let dir = try SinkTest.tempDir()
        let start = Date()
        let r = try SinkTest.run(
            "cc-sink",
            [
                "webhook", receiver.url, "--checkpoint", dir + "/ck.json", "--timeout", "1s", "-v", "--metrics-file",
                dir + "/m.prom",
            ],
            stdin: SinkTest.stream(from: 1, to: 6, markerEvery: 3))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Date().timeIntervalSince(start) >= 2.0)  // Retry-After: 1 and a 1 s timeout
        #expect(r.stderr.contains("HTTP 429"))
        #expect(r.stderr.contains(" in 1.0s"), "\(r.stderr)")  // Retry-After: 1
        #expect(r.stderr.contains("timed out"))
        #expect(try Self.delivered(receiver.requests()) == SinkTest.expectedKeys(from: 1, to: 6))
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 6)
        #expect(SinkTest.read(dir + "/m.prom").contains("cc_sink_webhook_retries_total{sink=\"webhook\"} "))
    }

    @Test("a 4xx sends the batch to the dead-letter file and delivery goes on")
    func deadLetter() throws {
        let receiver = try WebhookReceiver(responses: ["200", "422"])
        let dir = try SinkTest.tempDir()
        let r = try SinkTest.run(
            "cc-sink",
            [
                "webhook", "--retry-delay", "50ms", receiver.url, "--checkpoint", dir + "/ck.json", "--dead-letter",
                dir + "/dead.ndjson",
            ],
            stdin: SinkTest.stream(from: 1, to: 3))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("HTTP 422"))
        let dead = SinkTest.read(dir + "/dead.ndjson").split(separator: "\n").map(String.init)
        #expect(dead == (0..<3).map { SinkTest.transfer(block: 2, log: $0) })
        #expect(try Self.delivered(receiver.requests()) == ["1:0", "1:1", "1:2", "3:0", "3:1", "3:2"])
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 3)
    }

    @Test("a 4xx without a dead-letter file stops with 69; the checkpoint stays before the batch")
    func rejectedStops() throws {
        let receiver = try WebhookReceiver(responses: ["200", "401"])
        let dir = try SinkTest.tempDir()
        let r = try SinkTest.run(
            "cc-sink", ["webhook", "--retry-delay", "50ms", receiver.url, "--checkpoint", dir + "/ck.json"],
            stdin: SinkTest.stream(from: 1, to: 3))
        #expect(r.status == 69)
        #expect(r.stderr.contains("refused a batch of 3 events: HTTP 401"), "\(r.stderr)")
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 1)
    }

    @Test("retries run out: 69 after --max-retries, and after --max-retry-time")
    func retriesRunOut() throws {
        let receiver = try WebhookReceiver(responses: Array(repeating: "500", count: 40))
        let dir = try SinkTest.tempDir()
        var r = try SinkTest.run(
            "cc-sink",
            ["webhook", "--retry-delay", "50ms", receiver.url, "--checkpoint", dir + "/ck.json", "--max-retries", "2"],
            stdin: SinkTest.stream(from: 1, to: 2))
        #expect(r.status == 69)
        #expect(r.stderr.contains("unavailable after 3 attempts: HTTP 500"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/ck.json"))
        r = try SinkTest.run(
            "cc-sink", ["webhook", "--retry-delay", "50ms", receiver.url, "--max-retry-time", "1s"],
            stdin: SinkTest.stream(from: 1, to: 2))
        #expect(r.status == 69)
        #expect(r.stderr.contains("--max-retry-time 1s"), "\(r.stderr)")
        // Nothing listening at all.
        r = try SinkTest.run(
            "cc-sink", ["webhook", "--retry-delay", "50ms", "http://127.0.0.1:1/x", "--max-retries", "1"],
            stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 69)
        #expect(r.stderr.contains("connection refused"), "\(r.stderr)")
    }

    @Test("bad signing keys and header syntax are refused before anything is sent")
    func configErrors() throws {
        var r = try SinkTest.run(
            "cc-sink", ["webhook", "--retry-delay", "50ms", "http://127.0.0.1:1/x"], stdin: "",
            environment: ["CC_SIGNING_KEY": "0x1234"])
        #expect(r.status == 78)
        #expect(r.stderr.contains("signing key must be 32 bytes"))
        r = try SinkTest.run(
            "cc-sink", ["webhook", "--retry-delay", "50ms", "http://127.0.0.1:1/x", "-H", "nocolon"], stdin: "")
        #expect(r.status == 64)
        r = try SinkTest.run("cc-sink", ["webhook", "--retry-delay", "50ms", "ftp://example.com/x"], stdin: "")
        #expect(r.status == 64)
    }
}

@Suite("cc-sink webhook: TLS")
struct WebhookTLSTests {
    @Test("TLS is verified: a private CA fails without --cacert and works with it")
    func privateCA() throws {
        let dir = try SinkTest.tempDir()
        let gen = try SinkTest.shell(
            "cd '\(dir)' && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 "
                + "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>&1")
        guard gen.status == 0 else { return }  // no openssl on this machine: nothing to test with
        let receiver = try WebhookReceiver(tls: (dir + "/cert.pem", dir + "/key.pem"), log: dir + "/requests.ndjson")
        #expect(receiver.url.hasPrefix("https://"))
        var r = try SinkTest.run(
            "cc-sink", ["webhook", "--retry-delay", "50ms", receiver.url, "--max-retries", "0"],
            stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 69)
        #expect(r.stderr.contains("TLS"), "\(r.stderr)")
        r = try SinkTest.run(
            "cc-sink", ["webhook", "--retry-delay", "50ms", receiver.url, "--cacert", dir + "/cert.pem"],
            stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 0, "\(r.stderr)")
        let logged = SinkTest.read(dir + "/requests.ndjson").split(separator: "\n")
        #expect(logged.count == 1)
        #expect(logged.first?.contains("\\\"logIndex\\\":2") == true, "\(logged)")
    }
}

@Suite("cc-sink webhook: echoed secrets")
struct WebhookEchoedSecretTests {
    @Test("a receiver that echoes the path, query and headers does not get them printed")
    func echoedSecrets() throws {
        let receiver = try WebhookReceiver(responses: ["echo:404"])
        let dir = try SinkTest.tempDir()
        let r = try SinkTest.run(
            "cc-sink",
            [
                "webhook", receiver.url + "/hook/TOKEN-7f3a9?sig=KEY", "-H", "Authorization: Bearer BEARER-SECRET-1",
                "-H", "X-Api-Key: APIKEY-SECRET-2", "--checkpoint", dir + "/ck.json",
            ],
            stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 69)
        for secret in ["TOKEN-7f3a9", "sig=KEY", "BEARER-SECRET-1", "APIKEY-SECRET-2", "/hook"] {
            #expect(!r.stderr.contains(secret), "\(secret) in \(r.stderr)")
        }
        #expect(r.stderr.contains("HTTP 404: <!DOCTYPE html><pre>Cannot POST …</pre> Authorization: … X-Api-Key: … "))
    }
}

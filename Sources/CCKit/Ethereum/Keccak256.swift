/// Keccak-256 as Ethereum uses it (the original Keccak padding 0x01, not
/// SHA3-256's 0x06). Our own byte-level implementation: event topics,
/// EIP-55 checksums and signature hashes run it per line, so it must not
/// allocate or touch Foundation.
package enum Keccak256 {
    /// Bytes absorbed per permutation: 1600 bits minus twice the 256-bit capacity.
    package static let rate = 136

    /// Hashes `data` and writes the 32-byte digest to `out`.
    package static func hash(_ data: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        sponge(data, into: out, delimiter: 0x01)
    }

    /// The sponge for a 256-bit output. `delimiter` is the domain padding:
    /// 0x01 for Keccak, 0x06 for FIPS 202 SHA3-256 (which tests use to check
    /// the permutation against any SHA3 implementation).
    static func sponge(_ data: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer, delimiter: UInt8) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25 + 17) { tmp in
            let state = tmp.baseAddress!
            state.initialize(repeating: 0, count: 25 + 17)
            var remaining = data.count
            var p = data.baseAddress ?? UnsafeRawPointer(state)
            while remaining >= rate {
                for i in 0..<17 {
                    state[i] ^= UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 &* i, as: UInt64.self))
                }
                permute(state)
                p += rate
                remaining &-= rate
            }
            // Last (possibly empty) block: copy into a zeroed lane buffer and pad.
            let block = UnsafeMutableRawPointer(state + 25)
            if remaining > 0 { block.copyMemory(from: p, byteCount: remaining) }
            block.storeBytes(of: delimiter, toByteOffset: remaining, as: UInt8.self)
            let last = block.load(fromByteOffset: rate - 1, as: UInt8.self)
            block.storeBytes(of: last | 0x80, toByteOffset: rate - 1, as: UInt8.self)
            for i in 0..<17 {
                state[i] ^= UInt64(littleEndian: state[25 + i])
            }
            permute(state)
            for i in 0..<4 {
                out.storeBytes(of: state[i].littleEndian, toByteOffset: 8 &* i, as: UInt64.self)
            }
        }
    }

    package static func hash(_ data: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableRawPointer) {
        hash(UnsafeRawBufferPointer(data), into: out)
    }

    package static func hash(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buf, n in
            hash(data, into: UnsafeMutableRawPointer(buf.baseAddress!))
            n = 32
        }
    }

    package static func hash(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { hash($0) }
    }

    package static func hash(_ s: String) -> [UInt8] {
        var s = s
        return s.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    @usableFromInline
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    @inline(__always)
    static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x &<< n) | (x &>> (64 &- n))
    }

    /// keccak-f[1600]: the 25 lanes live in locals for all 24 rounds so the
    /// compiler keeps them in registers; theta, rho, pi and chi are unrolled.
    static func permute(_ s: UnsafeMutablePointer<UInt64>) {
        roundConstants.withUnsafeBufferPointer { permute(s, $0.baseAddress!) }
    }

    // Taking the constants as a pointer keeps the round loop free of
    // closures, which would otherwise capture (and spill) the 25 lanes.
    static func permute(_ s: UnsafeMutablePointer<UInt64>, _ rc: UnsafePointer<UInt64>) {
        var a0 = s[0]
        var a1 = s[1]
        var a2 = s[2]
        var a3 = s[3]
        var a4 = s[4]
        var a5 = s[5]
        var a6 = s[6]
        var a7 = s[7]
        var a8 = s[8]
        var a9 = s[9]
        var a10 = s[10]
        var a11 = s[11]
        var a12 = s[12]
        var a13 = s[13]
        var a14 = s[14]
        var a15 = s[15]
        var a16 = s[16]
        var a17 = s[17]
        var a18 = s[18]
        var a19 = s[19]
        var a20 = s[20]
        var a21 = s[21]
        var a22 = s[22]
        var a23 = s[23]
        var a24 = s[24]
        var c0, c1, c2, c3, c4, d: UInt64
        var round = 0
        while round < 24 {
            c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
            c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
            c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
            c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
            c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
            d = c4 ^ rotl(c1, 1)
            a0 ^= d
            a5 ^= d
            a10 ^= d
            a15 ^= d
            a20 ^= d
            d = c0 ^ rotl(c2, 1)
            a1 ^= d
            a6 ^= d
            a11 ^= d
            a16 ^= d
            a21 ^= d
            d = c1 ^ rotl(c3, 1)
            a2 ^= d
            a7 ^= d
            a12 ^= d
            a17 ^= d
            a22 ^= d
            d = c2 ^ rotl(c4, 1)
            a3 ^= d
            a8 ^= d
            a13 ^= d
            a18 ^= d
            a23 ^= d
            d = c3 ^ rotl(c0, 1)
            a4 ^= d
            a9 ^= d
            a14 ^= d
            a19 ^= d
            a24 ^= d
            let b0 = a0
            let b16 = rotl(a5, 36)
            let b7 = rotl(a10, 3)
            let b23 = rotl(a15, 41)
            let b14 = rotl(a20, 18)
            let b10 = rotl(a1, 1)
            let b1 = rotl(a6, 44)
            let b17 = rotl(a11, 10)
            let b8 = rotl(a16, 45)
            let b24 = rotl(a21, 2)
            let b20 = rotl(a2, 62)
            let b11 = rotl(a7, 6)
            let b2 = rotl(a12, 43)
            let b18 = rotl(a17, 15)
            let b9 = rotl(a22, 61)
            let b5 = rotl(a3, 28)
            let b21 = rotl(a8, 55)
            let b12 = rotl(a13, 25)
            let b3 = rotl(a18, 21)
            let b19 = rotl(a23, 56)
            let b15 = rotl(a4, 27)
            let b6 = rotl(a9, 20)
            let b22 = rotl(a14, 39)
            let b13 = rotl(a19, 8)
            let b4 = rotl(a24, 14)
            a0 = b0 ^ (~b1 & b2)
            a1 = b1 ^ (~b2 & b3)
            a2 = b2 ^ (~b3 & b4)
            a3 = b3 ^ (~b4 & b0)
            a4 = b4 ^ (~b0 & b1)
            a5 = b5 ^ (~b6 & b7)
            a6 = b6 ^ (~b7 & b8)
            a7 = b7 ^ (~b8 & b9)
            a8 = b8 ^ (~b9 & b5)
            a9 = b9 ^ (~b5 & b6)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)
            a0 ^= rc[round]
            round &+= 1
        }
        s[0] = a0
        s[1] = a1
        s[2] = a2
        s[3] = a3
        s[4] = a4
        s[5] = a5
        s[6] = a6
        s[7] = a7
        s[8] = a8
        s[9] = a9
        s[10] = a10
        s[11] = a11
        s[12] = a12
        s[13] = a13
        s[14] = a14
        s[15] = a15
        s[16] = a16
        s[17] = a17
        s[18] = a18
        s[19] = a19
        s[20] = a20
        s[21] = a21
        s[22] = a22
        s[23] = a23
        s[24] = a24
    }
}

/// "00" "01" … "99": two decimal digits per lookup when printing integers.
/// A StaticString literal is a constant in the binary, so reading it costs no
/// lazy-initialisation check and no reference count per access (an array in a
/// `static let` costs both, about 1% of decoding a Transfer).
@usableFromInline
package enum DigitPairs {
    @usableFromInline
    package static let text: StaticString = """
        0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
        5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899
        """

    /// The first of the two digits of `n` (0...99); the second follows it.
    @inlinable @inline(__always)
    static func pair(_ n: Int) -> UnsafePointer<UInt8> { text.utf8Start + 2 &* n }
}

//! [`Usdc`]: an exact amount of USDC, the currency x402 credit is bought with.

use std::fmt;
use std::str::FromStr;

/// An amount of USDC, exact to its smallest unit (USDC has 6 decimals: one base unit is
/// 0.000001 USDC, and 1 USDC is one US dollar of credit).
///
/// Written and read as dollars: `"10"`, `"10.5"`, `"0.000001"`. Parsing refuses what cannot
/// be paid exactly (more than 6 decimals, a sign, an exponent) instead of rounding it.
///
/// ```
/// use venice_api::x402::Usdc;
///
/// let amount: Usdc = "10.25".parse()?;
/// assert_eq!(amount.base_units(), 10_250_000);
/// assert_eq!(amount, Usdc::dollars(10) + Usdc::from_base_units(250_000));
/// assert_eq!(amount.to_string(), "10.25");
/// assert!("10.1234567".parse::<Usdc>().is_err());
/// # Ok::<(), venice_api::x402::ParseUsdcError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Usdc(u128);

impl Usdc {
    /// The decimals of USDC.
    pub const DECIMALS: u32 = 6;

    /// Base units in one dollar.
    const UNIT: u128 = 10u128.pow(Self::DECIMALS);

    /// `base_units` millionths of a dollar.
    pub const fn from_base_units(base_units: u128) -> Self {
        Self(base_units)
    }

    /// `dollars` whole dollars.
    pub const fn dollars(dollars: u64) -> Self {
        Self(dollars as u128 * Self::UNIT)
    }

    /// The amount in base units (millionths of a dollar), as an EIP-3009 transfer names it.
    pub const fn base_units(self) -> u128 {
        self.0
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The amount in dollars, as a float (for display and arithmetic that may round).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Self::UNIT as f64
    }
}

impl std::ops::Add for Usdc {
    type Output = Usdc;

    /// # Panics
    ///
    /// When the sum does not fit (beyond 10^32 dollars).
    fn add(self, other: Usdc) -> Usdc {
        Usdc(self.0.checked_add(other.0).expect("an amount of USDC that fits in 128 bits"))
    }
}

/// Dollars with at least two decimals and no trailing zeros beyond them: `10.00`, `10.50`,
/// `0.000001`.
impl fmt::Display for Usdc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / Self::UNIT, self.0 % Self::UNIT);
        let digits = format!("{fraction:06}");
        let kept = digits.trim_end_matches('0');
        let kept = if kept.len() < 2 { &digits[..2] } else { kept };
        write!(f, "{whole}.{kept}")
    }
}

impl fmt::Debug for Usdc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Usdc({self})")
    }
}

/// Why a text is not an amount of USDC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseUsdcError {
    /// Nothing to read.
    #[error("invalid USDC amount: empty")]
    Empty,
    /// Not dollars written as digits with an optional decimal point.
    #[error("invalid USDC amount: expected dollars such as 10 or 10.50")]
    NotDollars,
    /// More decimals than USDC's six: the amount cannot be paid exactly.
    #[error("invalid USDC amount: {found} decimals, and USDC has 6")]
    TooManyDecimals {
        /// How many decimals the text has.
        found: usize,
    },
    /// Larger than any amount of USDC there can be.
    #[error("invalid USDC amount: too large")]
    TooLarge,
}

impl FromStr for Usdc {
    type Err = ParseUsdcError;

    /// Dollars: digits, optionally a point and at most 6 more digits; surrounding whitespace
    /// is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ParseUsdcError::Empty);
        }
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || (s.contains('.') && fraction.is_empty()) {
            return Err(ParseUsdcError::NotDollars);
        }
        if fraction.len() > Self::DECIMALS as usize {
            return Err(ParseUsdcError::TooManyDecimals { found: fraction.len() });
        }
        let whole: u128 = whole.parse().map_err(|_| ParseUsdcError::TooLarge)?;
        let fraction: u128 = format!("{fraction:0<6}").parse().expect("six digits");
        whole
            .checked_mul(Self::UNIT)
            .and_then(|units| units.checked_add(fraction))
            .map(Usdc)
            .ok_or(ParseUsdcError::TooLarge)
    }
}

/// Base units written as a decimal integer, the way x402 requirements give an amount
/// (`"5000000"` is $5): parsed exactly, never through a float.
pub(crate) fn parse_base_units(text: &str) -> Option<Usdc> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().map(Usdc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usdc(text: &str) -> Usdc {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn dollars_are_read_exactly_to_the_sixth_decimal() {
        assert_eq!(usdc("5").base_units(), 5_000_000);
        assert_eq!(usdc(" 10.5 ").base_units(), 10_500_000);
        assert_eq!(usdc("0.000001").base_units(), 1);
        assert_eq!(usdc("123.456789").base_units(), 123_456_789);
        assert_eq!(usdc("007.10").base_units(), 7_100_000);
    }

    #[test]
    fn amounts_beyond_u64_are_exact() {
        let big = usdc("18446744073709.551616");
        assert_eq!(big.base_units(), u128::from(u64::MAX) + 1);
        assert_eq!(big.to_string(), "18446744073709.551616");
    }

    #[test]
    fn a_seventh_decimal_is_refused() {
        assert_eq!("10.1234567".parse::<Usdc>(), Err(ParseUsdcError::TooManyDecimals { found: 7 }));
    }

    #[test]
    fn what_is_not_plain_dollars_is_refused() {
        for text in ["-5", "+5", "1e6", "5.", ".5", "5,00", "$5", "five", "5 .0", "0x10", "NaN"] {
            assert_eq!(text.parse::<Usdc>(), Err(ParseUsdcError::NotDollars), "{text}");
        }
        assert_eq!("  ".parse::<Usdc>(), Err(ParseUsdcError::Empty));
        assert_eq!("9".repeat(40).parse::<Usdc>(), Err(ParseUsdcError::TooLarge));
    }

    #[test]
    fn display_gives_dollars_with_at_least_two_decimals() {
        assert_eq!(Usdc::dollars(10).to_string(), "10.00");
        assert_eq!(usdc("10.5").to_string(), "10.50");
        assert_eq!(usdc("0.000001").to_string(), "0.000001");
        assert_eq!(usdc("1.23").to_string(), "1.23");
        assert_eq!(format!("{:?}", usdc("5")), "Usdc(5.00)");
    }

    #[test]
    fn base_units_are_read_as_a_decimal_integer_only() {
        assert_eq!(parse_base_units("5000000"), Some(Usdc::dollars(5)));
        assert_eq!(parse_base_units(&u128::MAX.to_string()), Some(Usdc::from_base_units(u128::MAX)));
        for text in ["", "5e6", "5000000.0", "-1", "0x10", "340282366920938463463374607431768211456"] {
            assert_eq!(parse_base_units(text), None, "{text}");
        }
    }
}

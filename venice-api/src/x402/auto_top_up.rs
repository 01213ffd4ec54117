//! Topping the wallet's credit up when a paid call finds it empty, within a budget the caller
//! sets: [`AutoTopUp`], given to [`ClientBuilder::auto_top_up`](crate::ClientBuilder::auto_top_up).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{PaymentError, Usdc};
use crate::client::Client;
use crate::error::{Error, Result};

/// When a call the wallet signed in for answers 402 (no credit left), buy `amount` of credit
/// and send the call once more, as long as all top-ups together stay within `budget`. Past the
/// budget the call fails with [`PaymentError::BudgetExhausted`]: nothing is ever bought
/// without a bound. A top-up that fails counts against the budget too (its payment may have
/// been taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoTopUp {
    amount: Usdc,
    budget: Usdc,
}

impl AutoTopUp {
    /// Top up `amount` at a time, `budget` at most in all (for the client and its clones).
    pub fn new(amount: Usdc, budget: Usdc) -> Self {
        Self { amount, budget }
    }

    /// How much one top-up buys.
    pub fn amount(&self) -> Usdc {
        self.amount
    }

    /// The most all top-ups may buy together.
    pub fn budget(&self) -> Usdc {
        self.budget
    }

    /// The policy, or the reason it cannot work.
    pub(crate) fn checked(self) -> Result<Self> {
        if self.amount.is_zero() {
            return Err(Error::invalid("auto_top_up", "the amount of a top-up must be more than zero"));
        }
        if self.amount > self.budget {
            return Err(Error::invalid(
                "auto_top_up",
                format!("one top-up of {} USDC is over the budget of {} USDC", self.amount, self.budget),
            ));
        }
        Ok(self)
    }
}

/// The policy at work on one client: what was spent, and who pays.
pub(crate) struct AutoTopUpState {
    policy: AutoTopUp,
    /// A client of the same wallet without the policy: the top-up call itself must not top up.
    payer: Client,
    spent: Mutex<Usdc>,
    /// One top-up at a time: calls that all found the credit empty wait for the first one's
    /// top-up instead of each buying more.
    running: tokio::sync::Mutex<()>,
    /// How many top-ups succeeded, so that a call can tell that one happened while it waited.
    done: AtomicU64,
}

impl std::fmt::Debug for AutoTopUpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoTopUpState").field("policy", &self.policy).field("spent", &self.spent()).finish()
    }
}

impl AutoTopUpState {
    pub(crate) fn new(policy: AutoTopUp, payer: Client) -> Self {
        Self {
            policy,
            payer,
            spent: Mutex::new(Usdc::from_base_units(0)),
            running: tokio::sync::Mutex::new(()),
            done: AtomicU64::new(0),
        }
    }

    /// What the top-ups have spent so far.
    pub(crate) fn spent(&self) -> Usdc {
        self.spent.lock().map(|spent| *spent).unwrap_or(self.policy.budget)
    }

    /// How many top-ups have succeeded; taken before a call is sent and given back to
    /// [`top_up_after`](Self::top_up_after).
    pub(crate) fn generation(&self) -> u64 {
        self.done.load(Ordering::Acquire)
    }

    /// Buys credit for a call that found none, unless a top-up succeeded since the call took
    /// `generation` (then the call just goes again); refused past the budget.
    pub(crate) async fn top_up_after(&self, generation: u64) -> Result<()> {
        let _one_at_a_time = self.running.lock().await;
        if self.generation() != generation {
            return Ok(());
        }
        {
            let mut spent =
                self.spent.lock().map_err(|_| Error::Config("the top-up budget is unreadable".to_owned()))?;
            let after = Usdc::from_base_units(spent.base_units().saturating_add(self.policy.amount.base_units()));
            if after > self.policy.budget {
                return Err(PaymentError::BudgetExhausted { budget: self.policy.budget, spent: *spent }.into());
            }
            *spent = after;
        }
        self.payer.x402().top_up(self.policy.amount).await?;
        self.done.fetch_add(1, Ordering::AcqRel);
        tracing::info!(amount = %self.policy.amount, spent = %self.spent(), budget = %self.policy.budget, "topped up the wallet's x402 credit");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_that_cannot_buy_anything_is_refused() {
        let refused = |policy: AutoTopUp| crate::error::refused(policy.checked());
        assert_eq!(refused(AutoTopUp::new(Usdc::dollars(0), Usdc::dollars(10))), "auto_top_up");
        assert_eq!(refused(AutoTopUp::new(Usdc::dollars(11), Usdc::dollars(10))), "auto_top_up");
        assert!(AutoTopUp::new(Usdc::dollars(5), Usdc::dollars(10)).checked().is_ok());
    }
}

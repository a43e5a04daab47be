// Package scoring holds the calculations of customer value analysis: value
// vectors and weighted value, RFM, lifetime value and retention curves,
// key-account (ABC) analysis, churn risk, lead scoring, the probabilistic
// purchase models and the KPIs the CRM sources name.
//
// Everything here is pure calculation on plain inputs (slices or
// [iter.Seq] of transactions, outcomes, counts): no storage, no I/O, no
// clock, no goroutines, no global state. Statistics are float64. Where a
// result is money the caller converts it (for example into crm.Money with
// decimal.NewFromFloat and an explicit rounding).
//
// # Errors and numbers
//
// Every function validates its input and returns an error that matches
// [github.com/crmkit/crm.ErrInvalid] with errors.Is (usually a
// *crm.ValidationError naming the field): empty data, negative counts, NaN
// or infinite numbers, weights that do not sum to 1 (within 1e-9), values
// out of range. No function returns NaN or ±Inf for valid input; a result
// that would overflow float64 is an error instead. Models built by a
// constructor (NewWeightedModel, NewRFMSegmenter, NewChurnModel,
// NewLeadScorer, TrainLeadModel) are immutable and safe for concurrent
// use; [RFMAggregator] is not.
//
// # Customer value
//
// Customer value is what the customer receives minus what it pays
// ([NetValue]). As a [ValueVector] CV = (economic, functional,
// psychological), its magnitude is sqrt(x²+y²+z²)
// ([ValueVector.Magnitude]) and its [Direction] says which kind of value
// dominates, with the angle to each axis. [CompareValue] compares two
// customers by magnitude and by the angle between their value mixes.
//
// # Weighted value
//
// A [WeightedModel] rates customers on host-defined [Indicator]s grouped in
// four dimensions (financial, market, management, growth), each indicator
// normalised onto [0, 1] (fixed bounds, population min–max or mid-rank),
// weighted within its dimension, and the dimensions weighted in turn; the
// score runs from 0 to 100 and is explained by each indicator's
// contribution. [StandardIndicators] is a starting set that looks beyond
// purchase volume: loyalty, referral value and suggestion value sit next to
// profit and revenue.
//
// # RFM
//
// [RFMAggregator] turns transactions ([Transaction]) into one [RFMRecord]
// per customer at a reference date in a single pass (recency from the
// latest purchase, frequency as the number of transactions, monetary as
// the total or the average); [ScoreRFM] scores records aggregated
// elsewhere, such as by a database query. Scores run from 1 to the number
// of bins (5 by default: quintiles), higher is better, and are assigned by
// ranking with sorts. Ties share a bin by default ([TiesShareBin]: a
// value's score follows its mid-rank percentile); [TiesEqualSize] fills the
// bins equally and breaks ties by customer ID. An [RFMSegmenter] maps score
// patterns such as "[4-5][4-5]*" ([RFMPattern]) to segment names the host
// chooses.
//
// # Lifetime value and retention
//
// [SimpleCLV] computes a customer's lifetime value from the margin per
// period (optionally growing, see [ProfitComponents] for its sources), the
// retention rate, the discount rate, the acquisition cost and a horizon, in
// closed form. [CohortRetention] builds empirical retention and survival
// curves from the sizes of acquisition cohorts period by period, pooling
// cohorts observed for different lengths; [CurveCLV] values a customer on
// such a curve. [CompanyValue] is customer count × customer value, summed
// over segments.
//
// # Key accounts
//
// [ClassifyABC] ranks customers by value and cuts the ranking by cumulative
// share (80% and 95% by default) into classes A, B and C; equal values get
// the same class by default, or the literature's smallest group
// ([ABCTiesSmallestGroup]). [LorenzCurve], [Gini], [TopShare] (the share of
// the top 20%, the Pareto check) and [ParetoTable] (the share of customers
// that makes X% of the value) describe how concentrated the value is.
//
// # Churn risk
//
// A [ChurnModel] combines the probability that a customer is still active
// (a number from any model, such as the ones below), recency, complaints,
// open complaints and satisfaction into a risk score in [0, 1] with a
// [RiskLevel]; the [ChurnRisk] lists each factor's value, weight and
// contribution, and names the main one. Unknown signals drop out and their
// weight is shared among the known ones.
//
// # Lead scoring
//
// Rule-based scoring ([LeadRules], [NewLeadScorer]) keeps its rules as
// data: fit rules compare profile fields ([RuleOp]), engagement rules count
// activities whose points decay with a half-life, and grades band the
// total. Predictive scoring ([TrainLeadModel]) learns from won and lost
// history per field value with frequency-based naive Bayes and additive
// smoothing, per team and cumulatively by stage; [LeadModel.Predict]
// returns a win probability that is never exactly 0 or 100%, with the
// weight of evidence of each field.
//
// # Probabilistic models
//
// The package also fits the customer-base models of the marketing
// literature to transaction histories: BG/NBD and Pareto/NBD (how many
// purchases a customer will make and the probability it is still active,
// P(alive)), Gamma-Gamma (the expected value of its purchases) and the
// shifted-beta-geometric (sBG) model of contractual retention.
//
// [SummarizeTransactions] and [CalibrationHoldout] turn a purchase log into
// per-customer (x, t_x, T, mean value) summaries with the literature's
// conventions (same-day purchases merged, repeat purchases only, weeks).
// [FitBGNBD], [FitParetoNBD], [FitGammaGamma] and [FitSBG] fit by maximum
// likelihood in log space; on the CDNOW sample they reproduce the estimates
// and log-likelihoods published by Fader, Hardie and Lee (2005). The fitted
// models answer P(alive), expected purchases in a future window (overall and
// conditional on a customer's history) and the probability of no purchase;
// [PredictCLV] and [PredictCustomers] combine a purchase model with
// Gamma-Gamma into a discounted lifetime value. P(alive) from any of them
// feeds [ChurnSignals].
//
// # Batch predictions, distributions and uncertainty
//
// [PredictBatch] scores a whole customer base over several horizons at
// once, as columns, computing only the [Quantity] values asked for; the
// part of a forecast that depends on a customer's history only through
// (X, T) is computed once per distinct pair. [BGNBD.PurchaseCountProbabilities]
// and [ParetoNBD.PurchaseCountProbabilities] give the whole distribution
// P(X(t) = n), and [PurchaseCountDistribution] one per customer age.
// [FrequencyRecency] computes P(alive) and expected purchases over a grid
// of frequency × recency.
//
// Every fit reports the number of customers it used (Gamma-Gamma uses
// repeat buyers only), and the Uncertainty methods ([BGNBD.Uncertainty],
// [ParetoNBD.Uncertainty], [GammaGamma.Uncertainty], [SBG.Uncertainty])
// give standard errors,
// the covariance matrix and confidence intervals from the Hessian at the
// optimum, and optionally from a parametric bootstrap ([UncertaintyOptions]).
//
// Large BG/NBD fits skip merging identical records when a sample shows they
// are nearly all distinct, start from a fit to an evenly spread sample, and
// evaluate the likelihood on [FitOptions].Workers goroutines in fixed
// chunks, so the estimate is identical, to the last bit, for any number of
// workers; every goroutine has returned when the fit returns.
//
// # Diagnostics and pictures
//
// The standard checks of a purchase model are data: [PeriodTransactions]
// (customers per number of repeat purchases, actual vs model, with
// Pearson's chi-square), [CalibrationVsHoldout] (mean holdout purchases per
// calibration frequency) and [TrackRepeatPurchases] (cumulative repeat
// purchases over time). Each, and [FrequencyRecency], the Lorenz curve and
// an RFM grid, renders as a self-contained SVG with the standard library
// only ([PeriodTransactionsSVG], [CalibrationVsHoldoutSVG], [TrackingSVG],
// [PAliveMatrixSVG], [ExpectedMatrixSVG], [LorenzSVG], [RFMGridSVG]); every
// series is a group with a data-series attribute. Summaries come in the
// order [CalibrationOptions].Order asks for: by ID as text (the default),
// the host's order ([OrderFirstSeen]) or numeric IDs by value
// ([OrderNumericID]).
//
// Which model when: sBG for contractual businesses that see customers
// leave (subscriptions, memberships); BG/NBD or Pareto/NBD for
// non-contractual ones where customers just stop buying (fit both and keep
// the one that predicts a holdout period better; BG/NBD is faster);
// Gamma-Gamma to add spend to either; simple CLV for a first estimate.
//
// # KPIs
//
// [RetentionRate], [AcquisitionRate], [SalesGrowth], [ForecastAccuracy]
// (MAPE, WAPE and bias), [CSAT], [NPS], [OnTimeRate], [ReceivablesTurnover]
// with [CollectionDays], [ProfitMargin], [MarketShare] and [TopShare]
// compute the key figures the sources list. Rates are fractions (0.85 for
// 85%); NPS runs from −100 to 100.
//
// # Scorecards
//
// [ManagerScorecard] appraises customer managers on their books (考核体系):
// fed member by member and fact by fact (book members with value and class,
// visits against the 7 new + 3 return target, cadence kept, weighted
// pipeline and won revenue, complaints with CSAT, churn), it returns one
// card per manager and a ranking by a [WeightedModel] whose weights are
// data. [RankDealers] ranks dealers for the year-end evaluation (年终考评)
// by volume alone and by the weighted model (loyalty, referrals and
// suggestions recorded by package customer), showing each dealer's change
// of place. Money figures on a card are rounded once, to the currency's
// minor units, half up; a figure a manager has no data for (no visit days,
// no cadence rule, no survey) takes the mean of the others in the ranking.
//
// # Performance
//
// The RFM path aggregates in one pass with a flat hash table probed in
// small batches (so cache misses overlap) and scores with three sorts;
// BenchmarkRFM measures 1,000,000 customers from 10,000,000 transactions.
// Run the benchmarks with
//
//	go test ./scoring/ -run '^$' -bench . -benchmem
package scoring

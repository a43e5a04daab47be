-- 0002: reusable money domains for the tables of later issues (deals,
-- quotes, prices). An amount is a numeric that is a number (no NaN, no
-- infinity); a currency is an ISO 4217 alphabetic code (three upper-case
-- letters). A money column pair is declared as
--
--     amount   {{schema}}.crm_money_amount NOT NULL,
--     currency {{schema}}.crm_currency     NOT NULL,

CREATE DOMAIN {{schema}}.crm_money_amount AS numeric
    CONSTRAINT crm_money_amount_finite
    CHECK (VALUE <> 'NaN'::numeric AND VALUE <> 'Infinity'::numeric AND VALUE <> '-Infinity'::numeric);

CREATE DOMAIN {{schema}}.crm_currency AS text
    CONSTRAINT crm_currency_iso4217
    CHECK (VALUE ~ '^[A-Z]{3}$');

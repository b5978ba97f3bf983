-- Parse once (issue #13, item 2): besides what lists show (011), the facts keep what the reply
-- stage and the claim page need, so that after the assessment only the console's view of the
-- original email reads the source. All are written together by saveMessageFacts; a row of 011
-- (reply_lang NULL) is completed the first time a stage needs it, by parsing its source once.
ALTER TABLE message_facts
  -- Threading ids, without angle brackets, and only well-formed ones: a malformed id never
  -- reaches a reply's headers (src/reply/outbound-headers.ts), so keeping it would change nothing.
  ADD COLUMN header_message_id text,
  ADD COLUMN in_reply_to text,
  -- References, de-duplicated: the thread's root and the latest ids, at most 101, which gives
  -- a reply the same References header as the whole list (src/store/thread-ids.ts).
  ADD COLUMN reference_ids text[],
  -- The language a reply is written in (src/reply/language.ts), read from the customer's words.
  ADD COLUMN reply_lang text CHECK (reply_lang IN ('en', 'zh', 'zh-Hant')),
  ADD COLUMN to_addresses text[],           -- To and Cc, lower-cased, at most 100
  ADD COLUMN date_ms bigint,                -- the sender-controlled Date header, epoch ms
  ADD COLUMN text_excerpt text,             -- the text the claim page shows: its first 16,000 characters
  ADD COLUMN text_chars integer;            -- the whole text's length, to tell an excerpt from all of it
-- The From address and display name are kept whole (the parser bounds them): a reply repeats
-- them, and a cut name could greet the customer differently. Lists read them cut (factsColumns).
COMMENT ON COLUMN message_facts.from_name IS 'display name, decoded, whole; lists read left(from_name, 998)';

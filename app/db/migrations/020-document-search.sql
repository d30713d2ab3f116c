-- Full-text search of document bodies (issue 13): one row a version, the plain text of its MDX
-- (headings, paragraphs, list items, table cells and component titles, owners and names). It is a
-- cache of what git holds, filled for any version not yet in it when a search runs, so it can be
-- dropped and rebuilt at any time. Porter stemming: "monitor" finds "monitoring".
CREATE VIRTUAL TABLE document_text USING fts5(doc_id UNINDEXED, version UNINDEXED, body, tokenize = 'porter unicode61');

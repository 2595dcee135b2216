"""Who says so, what is a claim, and where sentences end: the wrong cases of issue 12, each a test."""

from __future__ import annotations

import pandas as pd
import pytest

import factbench as fb
from factbench.claims.checkworthiness import explain, score_checkworthiness
from factbench.claims.facts import needs_parse
from factbench.ingest.text import clean_article

ARTICLE = "\n\n".join([
    "Volodymyr Zelensky met Turkish officials in Ankara on Monday to discuss the prisoner exchange.",
    "He expressed gratitude to Turkey for its mediation in the exchange of 84 prisoners.",
    "The economy is “not putting people back to work,” President Obama said Wednesday.",
    "The White House will not release the figures until March, said a senior administration official.",
    "The plan would cost $40 billion over ten years, one adviser said.",
    "The president will travel to Ohio on Friday, said Josh Earnest, the White House press secretary.",
    "Goelman called the decision \"reckless\"                                            and "
    "said the city had lost 3,000 jobs.",
    "Neither party revealed the terms of the $2 million settlement.",
    "Senate Minority Whip John Cornyn, the No. 2 Republican in the Senate, voted against the bill on Tuesday.",
    "“We will keep fighting for the 40,000 workers,” said Gov. Andrew Cuomo.",
    "“The plant closed in 2019 and never reopened.",
    "the union said the closure cost 1,200 jobs in the county.",
])


@pytest.fixture(scope="module")
def corpus():
    return fb.load(pd.DataFrame([{"text": ARTICLE, "outlet": "Wire", "title": "Cuomo vows fight"}]),
                   cache=False, progress=False)


def sentence(corpus, fragment):
    rows = corpus.sentences[corpus.sentences["text"].str.contains(fragment, regex=False)]
    assert len(rows) == 1, f"{fragment!r} is in {len(rows)} sentences"
    return rows.iloc[0]


def claim(corpus, fragment):
    rows = corpus.claims[corpus.claims["text"].str.contains(fragment, regex=False)]
    assert len(rows) == 1, f"{fragment!r} matched {len(rows)} claims"
    return rows.iloc[0]


def test_postposed_speaker_after_a_quote(corpus):
    r = claim(corpus, "not putting people back to work")
    assert r["sourcing"] == "named" and r["speaker"] == "Obama"


@pytest.mark.parametrize("fragment", ["said a senior administration official", "one adviser said"])
def test_unnamed_sources_are_anonymous(corpus, fragment):
    assert claim(corpus, fragment)["sourcing"] == "anonymous"


def test_said_named_person(corpus):
    r = claim(corpus, "said Josh Earnest")
    assert r["sourcing"] == "named" and r["speaker"] == "Josh Earnest"


def test_speaker_is_a_clean_name(corpus):
    r = claim(corpus, "Goelman called the decision")
    assert r["speaker"] == "Goelman" and r["sourcing"] == "named"


def test_pronoun_resolved_to_the_last_person(corpus):
    r = claim(corpus, "He expressed gratitude")
    assert r["speaker"] == "Volodymyr Zelensky" and r["sourcing"] == "named"


def test_neither_party_is_no_speaker(corpus):
    r = claim(corpus, "Neither party revealed")
    assert r["speaker"] == "" and r["sourcing"] == "none"


def test_no_sentence_across_a_paragraph_break(corpus):
    text = corpus.articles["text"].iloc[0]
    for s, e in zip(corpus.sentences["start"], corpus.sentences["end"]):
        assert "\n" not in text[s:e]
    # an unclosed quote does not swallow the next paragraph, a lower-case paragraph is not glued on
    assert sentence(corpus, "The plant closed in 2019")["text"].endswith("never reopened.")
    assert sentence(corpus, "the union said")["text"].startswith("the union said")


def test_abbreviations_do_not_end_sentences(corpus):
    r = sentence(corpus, "the No. 2 Republican")
    assert r["text"].startswith("Senate Minority Whip") and r["text"].endswith("on Tuesday.")
    assert sentence(corpus, "said Gov. Andrew Cuomo")["text"].startswith("“We will keep")


@pytest.mark.parametrize("headline", ["Is the Prisoner Swap Dead?", "Mary Cheney: Sister Is 'Dead Wrong'",
                                      "Zelensky: “We Will Bring Everyone Home”"])
def test_headlines_stay_titles(headline):
    c = clean_article(f"{headline}\n\nThe exchange took place on Friday.\n\nIt was the 60th swap.")
    assert c.title == headline and not c.text.startswith(headline)


def test_parser_only_where_needed():
    assert needs_parse("Prices rose, officials said.") and needs_parse("“We won,” she wrote.")
    assert not needs_parse("The plant closed in 2019 and never reopened.")


def test_checkworthiness_ranks_facts_above_opinion_and_explains():
    facts = ["Unemployment fell to 3.5 percent in 2019, the lowest in 50 years.",
             "The Senate passed the bill 68 to 32 on Tuesday."]
    other = ["Thank you very much, everybody.", "I think she will be great.", "What a wonderful night!"]
    s = score_checkworthiness(facts + other)
    assert s[:2].min() > s[2:].max()
    why = dict(explain(facts[0]))
    assert any(k.startswith("word: ") for k in why)
    assert dict(explain(other[0]))["thanks_greeting"] < 0


def test_news_threshold_keeps_factual_sentences(corpus):
    # a sentence asserting a checkable fact is a claim at the default (news) threshold
    assert claim(corpus, "The plant closed in 2019")["checkworthiness"] >= fb.DEFAULT_THRESHOLD


# real sentences from basil_dev (BASIL corpus), one small article per case: who the labellers said
# the sentence rests on, by GUIDE.md's rules
def attributed(*paragraphs: str) -> pd.DataFrame:
    c = fb.load(pd.DataFrame([{"text": "\n\n".join(paragraphs), "outlet": "Wire", "title": "t"}]),
                cache=False, progress=False)
    return c.claims.set_index("text")[["sourcing", "speaker"]]


@pytest.mark.parametrize("text", [
    "Skype can reportedly be monitored for audio when one end of a call is a conventional telephone.",
    "They met for over an hour, and Fox News is told no staff or aides were present.",
    "However, Democrats are thought to have far more safe seats than Republicans going into November.",
])
def test_unnamed_reports_are_anonymous(text):
    assert attributed(text).loc[text, "sourcing"] == "anonymous"


@pytest.mark.parametrize("text, sourcing", [
    ("A former NSA official told Fox News the FBI and National Security Agency (NSA) have been tapping into "
     "leading U.S. Internet companies.", "anonymous"),
    ("Some leading Democrats said it was the president’s role to stand up for constitutional rights.", "anonymous"),
    ("A Microsoft spokesperson said that the company only provides customer data after receiving a legally "
     "binding order.", "named"),
])
def test_unnamed_person_of_a_named_body_is_anonymous(text, sourcing):
    assert attributed(text).loc[text, "sourcing"] == sourcing


@pytest.mark.parametrize("text, speaker", [
    ("Another top Republican, Sen. Lindsey Graham of South Carolina, also lambasted Schiff on Thursday.",
     "Lindsey Graham"),
    ("Others, including the party chairmen for Covington County, William Blocker, and Mobile County, John Skipper, "
     "dismissed the story as a Democratic plot.", "John Skipper"),
])
def test_persons_in_apposition_are_the_named_source(text, speaker):
    r = attributed(text).loc[text]
    assert r["sourcing"] == "named" and speaker in r["speaker"]


def test_statement_in_a_letter_rests_on_the_document():
    text = ("In a letter dated Thursday, the GOP committee members accused Schiff of standing “at the center of "
            "a well-orchestrated media campaign.”")
    assert attributed(text).loc[text, "sourcing"] == "named"


def test_statement_from_an_office():
    text = ('"The First Amendment protects freedom of religion," reads a statement from Senate Majority Leader '
            "Harry Reid's office (D-Nev.).")
    r = attributed(text).loc[text]
    assert r["sourcing"] == "named" and r["speaker"] == "Harry Reid's office"


@pytest.mark.parametrize("text, speaker", [
    ("And Sanders thanked Obama for his “impartiality” throughout the process.", "Sanders"),
    ("Ms. Gillibrand made similar demands and also retweeted the news of the report along with three words: "
     "“See you Sunday.”", "Gillibrand"),
])
def test_quoted_words_are_the_subjects(text, speaker):
    r = attributed(text).loc[text]
    assert r["sourcing"] == "named" and speaker in r["speaker"]


def test_quoted_nickname_is_no_quotation():
    text = ('WASHINGTON -- Massachusetts Gov. Deval Patrick (D) on Wednesday appointed William "Mo" Cowan to the '
            "Senate seat vacated by newly confirmed Secretary of State John Kerry.")
    assert attributed(text).loc[text, "sourcing"] == "none"


def test_a_body_modifying_the_subject_is_not_the_speaker():
    text = ("A Microsoft spokesperson said that the company only provides customer data after receiving a legally "
            "binding order or subpoena.")
    r = attributed("Microsoft and Google denied the report on Thursday.", text).loc[text]
    assert r["sourcing"] == "named" and r["speaker"] == "A Microsoft spokesperson"


def test_pronoun_bound_to_a_person_earlier_in_the_sentence():
    first = "Senate Minority Leader Steve Gallardo asked Gov. Jan Brewer to veto the bill."
    text = "The center's president, Cathi Herrod, has been deriding what she called \"fear-mongering\" from the measure's opponents."
    follow = "\"What's happened is our opponents have employed a new political tactic, and it's working,\" she said."
    r = attributed(first, text, follow)
    assert r.loc[text, "speaker"] == "Cathi Herrod" and r.loc[follow, "speaker"] == "Cathi Herrod"


def test_dateline_is_not_the_speaker():
    text = ("BERKELEY HEIGHTS, N.J. — President Trump said on Saturday that conservative voices were being unfairly "
            "censored on social media.")
    r = attributed(text).loc[text]
    assert r["sourcing"] == "named" and "Trump" in r["speaker"]


def test_speaker_set_off_by_commas_before_the_verb():
    text = ("In a statement to The Atlantic, Trump Jr.’s attorney, Alan Futerfas, said, “We can say with confidence "
            "that we have no concerns about these documents.”")
    r = attributed(text).loc[text]
    assert r["sourcing"] == "named" and r["speaker"] == "Alan Futerfas"


def test_according_to_documents_is_named():
    text = ("According to slides from an internal presentation intended for NSA senior analysts, the program "
            "accounts for nearly one in seven intelligence reports.")
    assert attributed(text).loc[text, "sourcing"] == "named"


@pytest.mark.parametrize("text", [
    "He settled into a corner booth as residents explained the problems that need to be rectified.",
    "The story was met with immediate backlash from Republicans in Alabama, several of whom dismissed the "
    "women’s stories out of hand.",
])
def test_speech_in_a_background_clause_is_no_source(text):
    assert attributed("Attorney General Eric Holder visited Ferguson on Wednesday.", text).loc[text, "sourcing"] == "none"


# third pass (issue 12, branch s3-attr): general reading rules from basil_dev's GUIDE.md, each from a real
# BASIL sentence
def test_a_word_inside_the_quotation_is_never_the_subject():
    text = ("“All of the fools that are so focused on looking only at Russia should start also looking in another "
            "direction, China,” Mr. Trump wrote.")
    r = attributed(text).loc[text]
    assert r["sourcing"] == "named" and r["speaker"] == "Trump"


def test_a_straight_quote_opening_before_a_curly_closing_one():
    text = ('Rep. Steve King (R-Iowa), tweeted on Friday "#Labrador is pro amnesty. If not this year, he has '
            "strongly advocated for amnesty next year. No fair trying to redefine amnesty.”")
    r = attributed(text).loc[text]
    assert r["sourcing"] == "named" and r["speaker"] == "Steve King"


def test_those_firms_are_the_bodies_named_before():
    text = "Those firms have denied they give the government a “back door” to their systems."
    assert attributed("Google and Microsoft face questions.", text).loc[text, "sourcing"] == "named"


def test_a_title_binds_to_the_name_it_stands_by():
    first = ("WASHINGTON ― The White House relayed President Donald Trump’s response late Thursday to bombshell "
             "allegations that Alabama GOP Senate nominee Roy Moore sexually molested a 14-year-old girl in 1979.")
    second = ("White House press secretary Sarah Huckabee Sanders, traveling with the president on his trip to Asia, "
              "told reporters that Trump “believes that we cannot allow a mere allegation to destroy a person’s "
              "life.”")
    third = ("A spokesperson for Vice President Mike Pence said the veep “found the allegations in the story "
             "disturbing.”")
    text = "And the day after the primary, the president tweeted in support of Moore, calling him “a really great guy.”"
    r = attributed(first, second, third, text)
    assert r.loc[text, "speaker"] == "Donald Trump"
    # a spokesperson for a named person speaks for that person: named, and says for whom
    assert r.loc[third, "sourcing"] == "named" and "Pence" in r.loc[third, "speaker"]


def test_a_quotation_opening_a_sentence_is_the_words_of_who_acted_before():
    first = ("Meanwhile, Vice President Joe Biden voiced his support of Hillary Thursday evening at the American "
             "Constitution Society's national convention.")
    text = ('"Anybody who thinks that whoever the next president is -- and God willing, in my view, it will be '
            'Secretary Clinton."')
    r = attributed(first, text).loc[text]
    assert r["sourcing"] == "named" and r["speaker"] == "Joe Biden"


def test_a_quotation_goes_on_over_paragraphs_to_its_closing_mark():
    paras = ["Warner said in a statement: “Congress and the American people deserve to judge the facts for "
             "themselves. The Special Counsel’s report must be provided to Congress immediately, and the Attorney "
             "General should swiftly prepare a declassified version of the report for the public.",
             "It is also critical that all documents related to the Special Counsel’s investigation be preserved and "
             "made available to the appropriate Congressional committees. Any attempt by the Trump Administration to "
             "cover up the results of this investigation into Russia’s attack on our democracy would be "
             "unacceptable.”"]
    r = attributed(*paras)
    last = [t for t in r.index if t.startswith("Any attempt")][0]
    assert r.loc[last, "sourcing"] == "named" and r.loc[last, "speaker"] == "Warner"


def test_an_unclosed_quotation_does_not_run_on():
    # the quotation is never closed: the narration after it is the outlet's own
    paras = ["“But in the end, if we are smart, tough and well prepared, we will get along with everyone!",
             "Last month, he joined with prominent conservatives who have seized on the heightened enforcement of "
             "guidelines on Twitter."]
    r = attributed("“All of the fools should start also looking in another direction,” Mr. Trump wrote.", *paras)
    assert r.loc[paras[1], "sourcing"] == "none"


@pytest.mark.parametrize("text, sourcing, speaker", [
    ("House Democrats rejected Obama's trade agenda Friday by blocking a measure that would have granted him the "
     "power to fast-track sweeping, secretive international agreements through Congress.", "none", ""),
    ("Political observers in Arizona cautioned that the governor is deliberate and not prone to act hastily, "
     "despite the growing calls from business for a veto.", "anonymous", "Political observers in Arizona"),
    ("One person familiar with Mr. Cohen’s testimony to the special counsel’s prosecutors said that Mr. Cohen did "
     "not state that the president had pressured him to lie to Congress.", "anonymous",
     "One person familiar with Mr. Cohen's testimony to the special counsel's prosecutors"),
    ("A number of the Internet companies issued statements Thursday night saying they only complied when legally "
     "bound to do so.", "anonymous", None),
])
def test_a_groups_act_is_narration_its_words_are_a_source(text, sourcing, speaker):
    r = attributed(text).loc[text]
    assert r["sourcing"] == sourcing and (speaker is None or r["speaker"] == speaker)


def test_according_to_before_the_main_clause_or_after_an_act():
    text = ('But, in a surprise move, Senate Democrats, meeting behind closed doors to discuss the tax deal, have '
            'asked the administration for "changes" to the bill, according to Sen Dick Durbin, D-Ill., the No. 2 '
            "Democrat in the chamber.")
    assert "Durbin" in attributed(text).loc[text, "speaker"]
    first = "The Post story centered on allegations made by Leigh Corfman, now 53."
    said = ("She said the two did not have sexual intercourse, and that she ended up getting dressed and asking "
            "Moore to take her home, according to the Post.")
    tag = "Moore did take her home, she said."
    r = attributed(first, said, tag)
    assert r.loc[said, "speaker"] == "Leigh Corfman" and r.loc[tag, "speaker"] == "Leigh Corfman"


def test_a_statement_still_to_come_names_no_source():
    text = "Rep. Stephen Lynch (D-Mass.) is expected to announce his bid Thursday for the seat."
    assert attributed(text).loc[text, "sourcing"] == "none"


def test_inverted_speech_verb():
    text = ('Added Gibbs: "I think you would really have to ask somebody who says that is somehow going to be a '
            'fundamentally better agreement than the one we are looking at right now?"')
    # an opinion, so no claim at the news threshold: read every sentence
    c = fb.load(pd.DataFrame([{"text": text, "outlet": "Wire", "title": "t"}]), cache=False, progress=False,
                threshold=0.0)
    r = c.claims.set_index("text").loc[text]
    assert r["sourcing"] == "named" and r["speaker"] == "Gibbs"


def test_a_role_as_subject_is_who_he_refers_to_next():
    first = "President Obama spoke about the mosque on Friday."
    second = "Reid's comments added another high-profile voice to the mosque controversy."
    third = ("The president first stepped into the fray Friday when he appeared to endorse the Park 51 project "
             "during a Ramadan dinner at the White House.")
    text = ("The next day, he clarified that he was merely commenting on fundamental religious freedoms -- not "
            'specifically on the "wisdom" of the mosque project.')
    assert attributed(first, "Harry Reid spoke on Monday.", second, third, text).loc[text, "speaker"] == "Obama"


def test_she_is_not_a_man_named_mr():
    first = ("In her first detailed comments on the trade deal since the House of Representatives refused on Friday "
             "to allow Mr. Obama to negotiate it freely, Mrs. Clinton laid out a far more calibrated position.")
    text = ("She argued that the House vote gave Mr. Obama “this amazing opportunity” to seek concessions from "
            "Pacific trading partners to salvage the deal.")
    assert attributed("Hillary Rodham Clinton spoke in Iowa.", first, text).loc[text, "speaker"] == "Hillary Rodham Clinton"


def test_a_description_before_the_name_is_of_who_the_sentence_before_was_about():
    first = ("The terror massacre at a packed Orlando nightclub reverberated across the presidential campaign trail "
             "Sunday -- and Donald Trump ripped President Obama and Hillary Clinton for avoiding the term "
             "“radical Islam” in doing so.")
    text = ("The presumptive Republican presidential nominee went so far as to say Obama should “step down” for not "
            "using the term and Clinton should “get out of this race” if she won’t either.")
    r = attributed(first, text).loc[text]
    assert r["sourcing"] == "named" and r["speaker"] == "Donald Trump"


@pytest.mark.parametrize("text, speaker", [
    ("The Obama administration has said it remains confident there are ways to get the trade provisions through "
     "Congress.", "Obama administration"),
    ("Mr. Cohen said he initially lied because he did not want to contradict his congressional testimony, "
     "prosecutors said.", "prosecutors"),
])
def test_the_plain_reading_keeps_the_subject_whole(text, speaker):
    assert attributed(text).loc[text, "speaker"] in (speaker, f"The {speaker}")


def test_plain_sentences_skip_the_parser_unless_something_follows():
    assert not needs_parse("Turkey's foreign ministry said that the release of 84 civilians took place on May 3.")
    assert needs_parse("Mr. Cohen said he initially lied to Congress, prosecutors said.")
    assert needs_parse("The ministry said the exchange took place, according to TASS.")


def test_a_title_word_in_passing_is_no_title():
    first = "Attorney General Eric Holder said Wednesday that he understands why residents are angry."
    second = ("The Obama administration intended the trip to underscore its commitment to civil rights in general "
              "and the Ferguson case in particular.")
    text = ("The attorney general then described how he was stopped twice on the New Jersey Turnpike and accused of "
            "speeding.")
    assert attributed(first, second, text).loc[text, "speaker"] == "Eric Holder"


def test_a_role_never_titled_is_who_spoke_just_before():
    first = '"I\'m not ashamed to admit I\'m a Christian," says Rick Perry.'
    text = ('"As president, I\'ll end Obama\'s war on religion and I\'ll fight against liberal attacks on our '
            'religious heritage," the Texas governor continues.')
    assert attributed(first, text).loc[text, "speaker"] == "Rick Perry"

from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'home.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'home.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    l_0_edition = resolve('edition')
    l_0_latest = resolve('latest')
    l_0_draft_changes = resolve('draft_changes')
    l_0_headline = resolve('headline')
    l_0_currency = resolve('currency')
    l_0_site_url = resolve('site_url')
    l_0_body = resolve('body')
    l_0_baseline = resolve('baseline')
    l_0_url = resolve('url')
    l_0_figures = resolve('figures')
    try:
        t_1 = environment.filters['capitalize']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'capitalize' found.")
    try:
        t_2 = environment.filters['lower']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'lower' found.")
    try:
        t_3 = environment.filters['thousands']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'thousands' found.")
    try:
        t_4 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<h1 class="review-title">'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'title'))
    yield '</h1>\n<p class="edition-line">'
    if environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'is_release'):
        pass
        yield 'Version '
        yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'label'))
        yield ' · released '
        yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'date'))
        if environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'doi'):
            pass
            yield ' · <a href="https://doi.org/'
            yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'doi'))
            yield '">doi:'
            yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'doi'))
            yield '</a>'
    elif (not (undefined(name='latest') if l_0_latest is missing else l_0_latest)):
        pass
        yield 'Draft edition: not yet released'
    elif (undefined(name='draft_changes') if l_0_draft_changes is missing else l_0_draft_changes):
        pass
        yield 'Draft edition: changes not yet released ('
        yield escape((undefined(name='draft_changes') if l_0_draft_changes is missing else l_0_draft_changes))
        yield ')'
    else:
        pass
        yield 'Draft edition: no study changed since the latest release'
    yield '</p>\n\n<section class="headline" aria-labelledby="headline-heading">\n  <h2 id="headline-heading" class="visually-hidden">The review in numbers</h2>\n  <dl class="stats">\n    <div><dt>Studies in this edition</dt><dd>'
    yield escape(environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'total'))
    yield '</dd></div>\n'
    if environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'baseline_total'):
        pass
        yield '    <div><dt>Of the '
        yield escape(environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'baseline_total'))
        yield ' studies of the published review</dt><dd>'
        yield escape(environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'in_baseline'))
        yield '<span class="of"> held</span></dd></div>\n'
    yield '    <div><dt>Fully coded (every required field)</dt><dd>'
    yield escape(environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'fully_coded'))
    yield '<span class="of"> of '
    yield escape(environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'total'))
    yield '</span></dd></div>\n'
    for l_1_fact in environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'facts'):
        _loop_vars = {}
        pass
        yield '    <div><dt>'
        yield escape(environment.getattr(l_1_fact, 'label'))
        yield '</dt><dd>'
        yield escape(environment.getattr(l_1_fact, 'count'))
        yield '<span class="of"> of '
        yield escape(environment.getattr(l_1_fact, 'coded'))
        yield ' coded</span></dd></div>\n'
    l_1_fact = missing
    yield '  </dl>\n</section>\n\n<section class="currency" aria-labelledby="currency-heading">\n  <h2 id="currency-heading">Where the evidence stands</h2>\n  <ul>\n'
    if environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'last_search'):
        pass
        yield '<li>The last search ran on <strong>'
        yield escape(environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'last_search'))
        yield '</strong>'
        if environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'last_search_label'):
            pass
            yield ' ('
            yield escape(t_2(environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'last_search_label')))
            yield ')'
        yield ': studies published since then are not yet here.</li>'
    if environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'previous'):
        pass
        yield '<li>'
        if environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'is_release'):
            pass
            yield 'This version'
        else:
            pass
            yield 'This draft'
        yield ', against '
        if environment.getattr(environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'previous'), 'is_release'):
            pass
            yield 'version '
            yield escape(environment.getattr(environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'previous'), 'label'))
        else:
            pass
            yield 'the draft'
        yield ': '
        yield escape(environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'added'))
        yield ' stud'
        yield escape(('y' if (environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'added') == 1) else 'ies'))
        yield ' added, '
        yield escape(environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'removed'))
        yield ' removed, '
        yield escape(environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'recoded'))
        yield ' corrected or recoded'
        if environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'screening'):
            pass
            yield '; '
            yield escape(environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'screening'))
        yield '. <a href="'
        yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), 'changelog.html', _block_vars=_block_vars))
        yield '">What changed, study by study</a>.</li>'
    if environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'next_update'):
        pass
        yield '<li>Next update: '
        yield escape(environment.getattr((undefined(name='currency') if l_0_currency is missing else l_0_currency), 'next_update'))
        yield '</li>'
    yield '  </ul>\n  <details class="glossary">\n    <summary>What the numbers mean</summary>\n    <dl>\n      <dt>Studies in this edition</dt><dd>The included studies this edition holds: each is one study file, coded against the codebook.</dd>\n'
    if environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'baseline_total'):
        pass
        yield '<dt>Held</dt><dd>Of the studies the review this one continues included, the ones entered here so far; the others are still to be entered.</dd>'
    yield '      <dt>Coded, not yet coded</dt><dd>A study is coded for a field when its value is known, with the evidence for it. "Not yet coded" means nobody has settled the field, or the study does not say: such studies are counted apart and left out of that field\'s percentages.</dd>\n      <dt>Fully coded</dt><dd>Coded for every required field of the codebook.</dd>\n    </dl>\n  </details>\n</section>\n\n<div class="prose">'
    yield escape((undefined(name='body') if l_0_body is missing else l_0_body))
    yield '</div>\n\n'
    if (environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'is_release') and environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'citation')):
        pass
        yield '<section class="citation" aria-labelledby="cite-heading">\n  <h2 id="cite-heading">How to cite this version</h2>\n  <p>'
        yield escape(environment.getattr(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'citation'), 'text'))
        yield '</p>\n  <details><summary>BibTeX</summary><pre><code>'
        yield escape(environment.getattr(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'citation'), 'bibtex'))
        yield '</code></pre></details>\n  <p class="muted">Permanent address of this version: <a href="'
        yield escape(environment.getattr(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'citation'), 'url'))
        yield '">'
        yield escape(environment.getattr(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'citation'), 'url'))
        yield '</a>.'
        if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'continues'):
            pass
            yield ' Please also cite the review this edition continues: '
            yield escape(environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'continues'), 'short_citation'))
            yield ', <a href="https://doi.org/'
            yield escape(environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'continues'), 'doi'))
            yield '">doi:'
            yield escape(environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'continues'), 'doi'))
            yield '</a>.'
        yield '</p>\n</section>\n'
    yield '\n'
    if environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'comparisons'):
        pass
        yield '<section aria-labelledby="compare-heading">\n  <h2 id="compare-heading">Published and current figures</h2>\n  <p>Each figure of the review this edition continues ('
        yield escape(environment.getattr((undefined(name='baseline') if l_0_baseline is missing else l_0_baseline), 'label'))
        yield ') beside the same count in this edition. Percentages for this edition are shares of the studies coded for the field, whose number is given.</p>\n  <div class="table-scroll">\n  <table class="compare">\n    <caption class="visually-hidden">Published figures beside this edition\'s figures</caption>\n    <thead><tr><th scope="col">Figure</th><th scope="col">'
        yield escape(t_1(environment.getattr((undefined(name='baseline') if l_0_baseline is missing else l_0_baseline), 'label')))
        yield ', n = '
        yield escape(environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'baseline_total'))
        yield '</th><th scope="col">This edition, n = '
        yield escape(environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'total'))
        yield '</th></tr></thead>\n    <tbody>\n'
        for l_1_row in environment.getattr((undefined(name='headline') if l_0_headline is missing else l_0_headline), 'comparisons'):
            _loop_vars = {}
            pass
            yield '    <tr><th scope="row">'
            yield escape(environment.getattr(environment.getattr(l_1_row, 'figure'), 'label'))
            yield '</th>\n      <td>'
            yield escape(t_3(environment.getattr(environment.getattr(l_1_row, 'figure'), 'value')))
            if (not t_4(environment.getattr(environment.getattr(l_1_row, 'figure'), 'percent'))):
                pass
                yield ' ('
                yield escape(('%g' % environment.getattr(environment.getattr(l_1_row, 'figure'), 'percent')))
                yield ' %)'
            yield '</td>\n      <td>'
            if (environment.getattr(l_1_row, 'coded') == 0):
                pass
                yield '<span class="muted">not yet coded</span>'
            else:
                pass
                yield escape(environment.getattr(l_1_row, 'live'))
                if environment.getattr(l_1_row, 'coded'):
                    pass
                    yield ' <span class="muted">('
                    yield escape(environment.getattr(l_1_row, 'live_percent'))
                    yield ' of '
                    yield escape(environment.getattr(l_1_row, 'coded'))
                    yield ' coded)</span>'
            yield '</td></tr>\n'
        l_1_row = missing
        yield '    </tbody>\n  </table>\n  </div>\n  <p><a href="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'consistency.html', _block_vars=_block_vars))
        yield '">Where the published figures do not add up, and where this edition differs</a></p>\n</section>\n'
    yield '\n<section aria-labelledby="figures-heading">\n  <h2 id="figures-heading">Figures</h2>\n  <ul class="figure-list">\n'
    for l_1_figure in context.call(environment.getattr((undefined(name='figures') if l_0_figures is missing else l_0_figures), 'values'), _block_vars=_block_vars):
        _loop_vars = {}
        pass
        yield '    <li><a href="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('figures/' + environment.getattr(l_1_figure, 'key')) + '.html'), _loop_vars=_loop_vars))
        yield '">'
        yield escape(environment.getattr(l_1_figure, 'title'))
        yield '</a></li>\n'
    l_1_figure = missing
    yield '  </ul>\n</section>\n\n<section aria-labelledby="downloads-heading">\n  <h2 id="downloads-heading">Data and references</h2>\n  <ul>\n    <li><a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'data/studies.csv', _block_vars=_block_vars))
    yield '">Studies and their coding (CSV)</a> · <a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'data/studies.json', _block_vars=_block_vars))
    yield '">JSON, with the codebook</a></li>\n    <li><a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'data/aggregates.json', _block_vars=_block_vars))
    yield '">Every count on this site (JSON)</a></li>\n    <li><a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'data/references.bib', _block_vars=_block_vars))
    yield '">References (BibTeX)</a> · <a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'data/references.ris', _block_vars=_block_vars))
    yield '">RIS</a></li>\n    <li><a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'data/study.schema.json', _block_vars=_block_vars))
    yield '">JSON Schema of a study file</a></li>\n  </ul>\n</section>\n'

blocks = {'main': block_main}
debug_info = '1=12&2=17&3=61&4=63&9=88&10=90&11=93&13=98&14=102&15=106&23=114&24=125&25=158&31=164&38=168&40=170&43=173&44=175&45=177&49=192&52=195&56=197&58=203&59=207&60=209&61=216&66=232&73=235&74=239&82=245&83=249&84=251&85=255'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'studies.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'studies.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_pager = resolve('pager')
    l_0_site = resolve('site')
    pass
    yield 'Studies'
    if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number') > 1):
        pass
        yield ', page '
        yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number'))
    yield ' · '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_pager = resolve('pager')
    l_0_studies = resolve('studies')
    l_0_filters = resolve('filters')
    l_0_table_data = resolve('table_data')
    l_0_table_exports = resolve('table_exports')
    l_0_page_size = resolve('page_size')
    l_0_columns = resolve('columns')
    l_0_table_rows = resolve('table_rows')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<h1>Included studies'
    if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number') > 1):
        pass
        yield ' <span class="muted">(page '
        yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number'))
        yield ' of '
        yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'count'))
        yield ')</span>'
    yield '</h1>\n'
    if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number') == 1):
        pass
        yield '<p>'
        yield escape(t_1((undefined(name='studies') if l_0_studies is missing else l_0_studies)))
        yield ' studies in this edition. Search and filter by any coded field: within a field, any of the values you tick; across fields, all of them. '
        if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'count') > 1):
            pass
            yield 'Without scripts, the table lists '
            yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'size'))
            yield ' studies a page, with links to the next pages.'
        else:
            pass
            yield 'The table lists every study when scripts are off.'
        yield ' Each study links to its page with the full coding and the evidence for it.</p>\n<form class="filters" data-study-filters hidden>\n  <div class="filter filter-search">\n    <label for="filter-text">Search titles, authors, journals and years</label>\n    <input type="search" id="filter-text" name="q" autocomplete="off" aria-describedby="filter-text-help">\n    <p class="muted hint" id="filter-text-help">Every word must match, with or without accents: <em>balkova 2022</em>.</p>\n  </div>\n  <div class="facets">\n'
        for l_1_filter in (undefined(name='filters') if l_0_filters is missing else l_0_filters):
            _loop_vars = {}
            pass
            yield '  <details class="facet" data-facet="'
            yield escape(environment.getattr(l_1_filter, 'key'))
            yield '">\n    <summary>'
            yield escape(environment.getattr(l_1_filter, 'label'))
            yield ' <span class="chosen" data-chosen></span></summary>\n    <fieldset>\n      <legend class="visually-hidden">'
            yield escape(environment.getattr(l_1_filter, 'label'))
            yield '</legend>\n'
            for (l_2_value, l_2_label, l_2_count) in environment.getattr(l_1_filter, 'options'):
                _loop_vars = {}
                pass
                yield '      <label class="option"><input type="checkbox" name="'
                yield escape(environment.getattr(l_1_filter, 'key'))
                yield '" value="'
                yield escape(l_2_value)
                yield '"> '
                yield escape(l_2_label)
                yield ' <span class="count" data-count>('
                yield escape(l_2_count)
                yield ')</span></label>\n'
            l_2_value = l_2_label = l_2_count = missing
            yield '    </fieldset>\n  </details>\n'
        l_1_filter = missing
        yield '  </div>\n  <div class="filter-actions"><button type="reset">Clear all filters</button></div>\n</form>\n<p class="result-count" aria-live="polite" data-result-count></p>\n<p class="no-results" data-no-results hidden>No study matches this search and these filters. Untick a value, shorten the search, or <button type="button" data-clear>clear all filters</button>.</p>\n<p class="export" data-export hidden>Download the studies shown: <button type="button" data-export-format="csv">CSV</button> <button type="button" data-export-format="ris">RIS</button> <button type="button" data-export-format="bib">BibTeX</button></p>\n'
    else:
        pass
        yield '<p>Studies '
        yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'first'))
        yield ' to '
        yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'last'))
        yield ' of the '
        yield escape(t_1((undefined(name='studies') if l_0_studies is missing else l_0_studies)))
        yield ' in this edition, in the order of the <a href="'
        yield escape(environment.getitem(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'pages'), 0))
        yield '">study table</a>, where you can search and filter them.</p>\n'
    yield '<div class="table-scroll">\n<table class="studies"'
    if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number') == 1):
        pass
        yield ' data-study-table data-rows="'
        yield escape((undefined(name='table_data') if l_0_table_data is missing else l_0_table_data))
        yield '" data-exports="'
        yield escape((undefined(name='table_exports') if l_0_table_exports is missing else l_0_table_exports))
        yield '" data-page-size="'
        yield escape((undefined(name='page_size') if l_0_page_size is missing else l_0_page_size))
        yield '"'
    yield '>\n  <caption class="visually-hidden">Included studies with their main coded fields'
    if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'count') > 1):
        pass
        yield ', '
        yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'first'))
        yield ' to '
        yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'last'))
    yield '</caption>\n  <thead>\n    <tr>\n'
    if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number') == 1):
        pass
        yield '      <th scope="col" aria-sort="ascending"><button type="button" data-sort="study">Study</button></th>\n      <th scope="col"><button type="button" data-sort="year">Year</button></th>\n      <th scope="col">Title</th>\n'
        for (l_1_key, l_1_label) in (undefined(name='columns') if l_0_columns is missing else l_0_columns):
            _loop_vars = {}
            pass
            yield '      <th scope="col"><button type="button" data-sort="'
            yield escape(l_1_key)
            yield '">'
            yield escape(l_1_label)
            yield '</button></th>\n'
        l_1_key = l_1_label = missing
    else:
        pass
        yield '      <th scope="col">Study</th>\n      <th scope="col">Year</th>\n      <th scope="col">Title</th>\n'
        for (l_1_key, l_1_label) in (undefined(name='columns') if l_0_columns is missing else l_0_columns):
            _loop_vars = {}
            pass
            yield '      <th scope="col">'
            yield escape(l_1_label)
            yield '</th>\n'
        l_1_key = l_1_label = missing
    yield '    </tr>\n  </thead>\n  <tbody>\n'
    yield escape((undefined(name='table_rows') if l_0_table_rows is missing else l_0_table_rows))
    yield '  </tbody>\n</table>\n</div>\n'
    if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number') == 1):
        pass
        yield '<p class="show-more" data-show-more hidden><button type="button"></button></p>\n'
    if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'count') > 1):
        pass
        yield '<nav class="pager" aria-label="Pages of the study table" data-pager>\n  <p>Studies '
        yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'first'))
        yield ' to '
        yield escape(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'last'))
        yield ' of '
        yield escape(t_1((undefined(name='studies') if l_0_studies is missing else l_0_studies)))
        yield '.'
        if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number') > 1):
            pass
            yield ' <a href="'
            yield escape(environment.getitem(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'pages'), (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number') - 2)))
            yield '" rel="prev">Previous page</a>'
        if (environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number') < environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'count')):
            pass
            yield ' <a href="'
            yield escape(environment.getitem(environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'pages'), environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number')))
            yield '" rel="next">Next page</a>'
        yield '</p>\n  <ul>\n'
        for (l_1_number, l_1_link) in environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'nearby'):
            _loop_vars = {}
            pass
            yield '    <li>'
            if t_2(l_1_number):
                pass
                yield '<span aria-hidden="true">…</span>'
            elif (l_1_number == environment.getattr((undefined(name='pager') if l_0_pager is missing else l_0_pager), 'number')):
                pass
                yield '<strong aria-current="page">'
                yield escape(l_1_number)
                yield '</strong>'
            else:
                pass
                yield '<a href="'
                yield escape(l_1_link)
                yield '">'
                yield escape(l_1_number)
                yield '</a>'
            yield '</li>\n'
        l_1_number = l_1_link = missing
        yield '  </ul>\n</nav>\n'

blocks = {'title': block_title, 'main': block_main}
debug_info = '1=12&2=17&3=35&4=64&5=72&6=75&14=86&15=90&16=92&18=94&19=96&20=100&32=115&35=124&36=134&39=141&43=144&44=148&50=156&51=160&57=164&60=166&63=169&65=172&67=189&68=193'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'screening.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'screening.html')
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
    l_0_site = resolve('site')
    pass
    yield 'Searches and screening · '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))

def block_description(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield "Every search of the living review's updates, the records it found, and why each was included or excluded."

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_screening = resolve('screening')
    l_0_arm = resolve('arm')
    l_0_url = resolve('url')
    try:
        t_1 = environment.filters['lower']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'lower' found.")
    try:
        t_2 = environment.filters['round']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'round' found.")
    try:
        t_3 = environment.filters['sum']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'sum' found.")
    pass
    yield '<h1>Searches and screening</h1>\n<p>Every search this living review has run for its updates, and the decision on every record it found, as recorded in the review\'s <code>searches/</code> and <code>screening/</code> files. The numbers of the flow diagram\'s "new studies" are counted from these records.</p>\n<h2 id="searches">Searches</h2>\n<div class="table-scroll">\n<table class="searches">\n  <caption class="visually-hidden">Each search: when, how, what it looked for and how many records it found</caption>\n  <thead><tr><th scope="col">Date</th><th scope="col">Route</th><th scope="col">Query and limits</th><th scope="col">Found</th></tr></thead>\n  <tbody>\n'
    for l_1_search in environment.getattr((undefined(name='screening') if l_0_screening is missing else l_0_screening), 'searches'):
        l_1_route_label = resolve('route_label')
        _loop_vars = {}
        pass
        yield '  <tr id="search-'
        yield escape(environment.getattr(l_1_search, 'id'))
        yield '"><td>'
        yield escape(environment.getattr(l_1_search, 'date'))
        yield '</td><td>'
        yield escape(context.call((undefined(name='route_label') if l_1_route_label is missing else l_1_route_label), environment.getattr(l_1_search, 'route'), _loop_vars=_loop_vars))
        yield '<br><span class="muted">'
        yield escape(environment.getattr(l_1_search, 'source'))
        yield '</span></td>\n    <td><code>'
        yield escape(environment.getattr(l_1_search, 'query'))
        yield '</code><br><span class="muted">'
        yield escape(environment.getattr(l_1_search, 'limits'))
        if environment.getattr(l_1_search, 'notes'):
            pass
            yield '. '
            yield escape(environment.getattr(l_1_search, 'notes'))
        if environment.getattr(l_1_search, 'url'):
            pass
            yield ' <a href="'
            yield escape(environment.getattr(l_1_search, 'url'))
            yield '">The request to the database</a>.'
        yield '</span></td><td>'
        yield escape(environment.getattr(l_1_search, 'found'))
        yield '</td></tr>\n'
    l_1_search = l_1_route_label = missing
    yield '  </tbody>\n</table>\n</div>\n<h2 id="selection">Selection</h2>\n<dl class="selection">\n  <dt>Records the searches found</dt><dd>'
    yield escape(t_3(environment, environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'found'), attribute=1))
    l_1_loop = missing
    for (l_1_route, l_1_n), l_1_loop in LoopContext(environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'found'), undefined):
        _loop_vars = {}
        pass
        if environment.getattr(l_1_loop, 'first'):
            pass
            yield ' <span class="muted">('
        yield escape(t_1(l_1_route))
        yield ': '
        yield escape(l_1_n)
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield '; '
        else:
            pass
            yield ')</span>'
    l_1_loop = l_1_route = l_1_n = missing
    yield '</dd>\n  <dt>Not candidate articles (not listed)</dt><dd>'
    yield escape(environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'not_listed'))
    yield '</dd>\n  <dt>Candidate records listed</dt><dd>'
    yield escape(environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'identified'))
    yield '</dd>\n  <dt>Duplicates removed</dt><dd>'
    yield escape(environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'duplicates'))
    yield '</dd>\n  <dt>Records screened (title and abstract)</dt><dd>'
    yield escape(environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'screened'))
    yield '</dd>\n  <dt>Excluded at screening</dt><dd>'
    yield escape(t_3(environment, environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'excluded_screening'), attribute=1))
    if environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'excluded_screening'):
        pass
        yield '<ul>'
        for (l_1_reason, l_1_n) in environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'excluded_screening'):
            _loop_vars = {}
            pass
            yield '<li>'
            yield escape(l_1_reason)
            yield ': '
            yield escape(l_1_n)
            yield '</li>'
        l_1_reason = l_1_n = missing
        yield '</ul>'
    yield '</dd>\n  <dt>Full-text reports assessed</dt><dd>'
    yield escape(environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'assessed'))
    yield '</dd>\n  <dt>Excluded at full text</dt><dd>'
    yield escape(t_3(environment, environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'excluded_full_text'), attribute=1))
    if environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'excluded_full_text'):
        pass
        yield '<ul>'
        for (l_1_reason, l_1_n) in environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'excluded_full_text'):
            _loop_vars = {}
            pass
            yield '<li>'
            yield escape(l_1_reason)
            yield ': '
            yield escape(l_1_n)
            yield '</li>'
        l_1_reason = l_1_n = missing
        yield '</ul>'
    yield '</dd>\n'
    if environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'awaiting'):
        pass
        yield '<dt>Full texts awaiting classification</dt><dd>'
        yield escape(environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'awaiting'))
        yield '</dd>'
    yield '  <dt>New studies included</dt><dd>'
    yield escape(environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'included'))
    yield '</dd>\n'
    if environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'undecided'):
        pass
        yield '<dt>Records still being screened</dt><dd>'
        yield escape(environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'undecided'))
        yield '</dd>'
    yield '</dl>\n'
    if environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'agreement'):
        pass
        yield '<h2 id="agreement">Agreement between screeners</h2>\n<p>Records screened independently by two screeners, with the share of the same decisions and Cohen\'s kappa (as on the <a href="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'agreement.html', _block_vars=_block_vars))
        yield '">coders\' agreement</a> page).</p>\n<div class="table-scroll"><table class="agreement">\n  <caption class="visually-hidden">Agreement between screeners per stage</caption>\n  <thead><tr><th scope="col">Stage</th><th scope="col">Records screened twice</th><th scope="col">Same decision</th><th scope="col">Cohen\'s kappa</th></tr></thead>\n  <tbody>'
        for (l_1_stage, l_1_kappa, l_1_n, l_1_same) in environment.getattr((undefined(name='arm') if l_0_arm is missing else l_0_arm), 'agreement'):
            _loop_vars = {}
            pass
            yield '<tr><th scope="row">'
            yield escape(l_1_stage)
            yield '</th><td>'
            yield escape(l_1_n)
            yield '</td><td>'
            yield escape(l_1_same)
            yield ' ('
            yield escape(t_2(((100 * l_1_same) / l_1_n), 1))
            yield '&#8239;%)</td><td>'
            yield escape(environment.getattr(l_1_kappa, 'text'))
            yield '</td></tr>'
        l_1_stage = l_1_kappa = l_1_n = l_1_same = missing
        yield '</tbody>\n</table></div>\n'
    yield '<h2 id="records">Every record</h2>\n<div class="table-scroll">\n<table class="records">\n  <caption class="visually-hidden">Every record found by the searches, with the decisions on it</caption>\n  <thead><tr><th scope="col">Record</th><th scope="col">Search</th><th scope="col">Decisions</th></tr></thead>\n  <tbody>\n'
    l_1_loop = missing
    for l_1_record, l_1_loop in LoopContext(environment.getattr((undefined(name='screening') if l_0_screening is missing else l_0_screening), 'records'), undefined):
        _loop_vars = {}
        pass
        yield '  <tr id="record-'
        yield escape(environment.getattr(l_1_record, 'id'))
        yield '"><td>'
        if environment.getattr(l_1_record, 'url'):
            pass
            yield '<a href="'
            yield escape(environment.getattr(l_1_record, 'url'))
            yield '">'
            yield escape(environment.getattr(l_1_record, 'title'))
            yield '</a>'
        else:
            pass
            yield escape(environment.getattr(l_1_record, 'title'))
        yield ' <span class="muted">'
        yield escape(environment.getattr(l_1_record, 'authors'))
        yield ' ('
        yield escape(environment.getattr(l_1_record, 'year'))
        yield ')'
        if environment.getattr(l_1_record, 'doi'):
            pass
            yield ', doi:'
            yield escape(environment.getattr(l_1_record, 'doi'))
        if environment.getattr(l_1_record, 'pmid'):
            pass
            yield ', <a href="https://pubmed.ncbi.nlm.nih.gov/'
            yield escape(environment.getattr(l_1_record, 'pmid'))
            yield '/">PMID '
            yield escape(environment.getattr(l_1_record, 'pmid'))
            yield '</a>'
        yield '</span></td>\n    <td><a href="#search-'
        yield escape(environment.getattr(l_1_record, 'search'))
        yield '">'
        yield escape(environment.getattr(l_1_record, 'search'))
        yield '</a></td>\n    <td>'
        if environment.getattr(l_1_record, 'duplicate_of'):
            pass
            yield 'Duplicate of '
            yield escape(environment.getattr(l_1_record, 'duplicate_of'))
        l_2_loop = missing
        for l_2_d, l_2_loop in LoopContext(environment.getattr(l_1_record, 'decisions'), undefined):
            l_2_stage_label = resolve('stage_label')
            l_2_reason_label = resolve('reason_label')
            _loop_vars = {}
            pass
            yield escape(context.call((undefined(name='stage_label') if l_2_stage_label is missing else l_2_stage_label), environment.getattr(l_2_d, 'stage'), _loop_vars=_loop_vars))
            yield ': '
            yield escape(environment.getattr(l_2_d, 'decision'))
            if environment.getattr(l_2_d, 'reason'):
                pass
                yield ' ('
                yield escape(t_1(context.call((undefined(name='reason_label') if l_2_reason_label is missing else l_2_reason_label), environment.getattr(l_2_d, 'reason'), _loop_vars=_loop_vars)))
                yield ')'
            yield ', '
            yield escape(environment.getattr(l_2_d, 'screener'))
            if (not environment.getattr(l_2_loop, 'last')):
                pass
                yield '<br>'
        l_2_loop = l_2_d = l_2_stage_label = l_2_reason_label = missing
        if environment.getattr(l_1_record, 'study'):
            pass
            yield '<br><a href="'
            yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('studies/' + environment.getattr(l_1_record, 'study')) + '.html'), _loop_vars=_loop_vars))
            yield '">The included study</a>'
        yield '</td></tr>\n'
    l_1_loop = l_1_record = missing
    yield '  </tbody>\n</table>\n</div>\n'

blocks = {'title': block_title, 'description': block_description, 'main': block_main}
debug_info = '1=12&2=17&3=29&4=39&13=69&14=74&15=82&22=99&23=118&24=120&25=122&26=124&27=126&28=141&29=143&30=158&31=164&32=166&34=172&36=175&40=177&49=195&50=199&51=228&52=232'
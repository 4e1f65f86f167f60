from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'changelog.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'changelog.html')
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
    yield 'Changelog · '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site_url = resolve('site_url')
    l_0_entries = resolve('entries')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['thousands']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'thousands' found.")
    pass
    yield '<h1>Changelog of the evidence</h1>\n<p>What each release changed: studies added and removed, studies recoded (each changed field, old → new), and how the headline figures moved. Computed from the frozen release files. <a href="'
    yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), 'feed.xml', _block_vars=_block_vars))
    yield '">Follow the Atom feed</a>.</p>\n'
    for l_1_entry in (undefined(name='entries') if l_0_entries is missing else l_0_entries):
        l_1_e = l_1_c = missing
        _loop_vars = {}
        pass
        l_1_e = environment.getattr(l_1_entry, 'edition')
        _loop_vars['e'] = l_1_e
        yield '<section class="release" id="'
        yield escape(('draft' if (not environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'is_release')) else ('v' + environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'label'))))
        yield '">\n  <h2>'
        if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'is_release'):
            pass
            yield 'Version '
            yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'label'))
            yield ' <span class="muted">('
            yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'date'))
            yield ')</span>'
        else:
            pass
            yield 'Unreleased changes (draft)'
        yield '</h2>\n  <p>'
        if environment.getattr(l_1_entry, 'previous'):
            pass
            yield 'Compared with version '
            yield escape(environment.getattr(environment.getattr(l_1_entry, 'previous'), 'label'))
            yield '.'
        else:
            pass
            yield 'The first edition: its '
            yield escape(t_2(t_1(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'studies'))))
            yield ' stud'
            yield escape(('y is' if (t_1(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'studies')) == 1) else 'ies are'))
            yield ' all new, listed in <a href="'
            yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'prefix') + 'studies/index.html'), _loop_vars=_loop_vars))
            yield '">its study table</a>.'
        yield '  <a href="'
        yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'prefix') + 'index.html'), _loop_vars=_loop_vars))
        yield '">Open this edition</a>.'
        if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'notes'):
            pass
            yield ' '
            yield escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'notes'))
        yield '</p>\n'
        if (environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'is_release') and environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'citation')):
            pass
            yield '<p class="muted">Cite as: '
            yield escape(environment.getattr(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'citation'), 'text'))
            yield '</p>'
        l_1_c = environment.getattr(l_1_entry, 'changes')
        _loop_vars['c'] = l_1_c
        if environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'empty'):
            pass
            yield '<p>No change to the studies or their coding, the searches or the screening.</p>'
        if (environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'added') and environment.getattr(l_1_entry, 'previous')):
            pass
            yield '  <h3>Studies added ('
            yield escape(t_1(environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'added')))
            yield ')</h3>\n  <ul>'
            for l_2_s in environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'added'):
                _loop_vars = {}
                pass
                yield '<li><a href="'
                yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (((environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'prefix') + 'studies/') + environment.getattr(l_2_s, 'id')) + '.html'), _loop_vars=_loop_vars))
                yield '">'
                yield escape(environment.getattr(l_2_s, 'short_citation'))
                yield '</a> '
                yield escape(environment.getattr(l_2_s, 'title'))
                yield '</li>'
            l_2_s = missing
            yield '</ul>\n'
        if environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'removed'):
            pass
            yield '  <h3>Studies removed ('
            yield escape(t_1(environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'removed')))
            yield ')</h3>\n  <ul>'
            for l_2_s in environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'removed'):
                _loop_vars = {}
                pass
                yield '<li><a href="'
                yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (((environment.getattr(environment.getattr(l_1_entry, 'previous'), 'prefix') + 'studies/') + environment.getattr(l_2_s, 'id')) + '.html'), _loop_vars=_loop_vars))
                yield '">'
                yield escape(environment.getattr(l_2_s, 'short_citation'))
                yield '</a> '
                yield escape(environment.getattr(l_2_s, 'title'))
                yield '</li>'
            l_2_s = missing
            yield '</ul>\n'
        if environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'recoded'):
            pass
            yield '  <h3>Studies recoded ('
            yield escape(t_1(environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'recoded')))
            yield ')</h3>\n  <ul>'
            for (l_2_s, l_2_recodings) in environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'recoded'):
                _loop_vars = {}
                pass
                yield '<li><a href="'
                yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (((environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'prefix') + 'studies/') + environment.getattr(l_2_s, 'id')) + '.html'), _loop_vars=_loop_vars))
                yield '">'
                yield escape(environment.getattr(l_2_s, 'short_citation'))
                yield '</a>\n    <ul>'
                for l_3_r in l_2_recodings:
                    _loop_vars = {}
                    pass
                    yield '<li>'
                    yield escape(environment.getattr(l_3_r, 'label'))
                    yield ': '
                    yield escape(environment.getattr(l_3_r, 'old'))
                    yield ' → '
                    yield escape(environment.getattr(l_3_r, 'new'))
                    yield '</li>'
                l_3_r = missing
                yield '</ul></li>'
            l_2_s = l_2_recodings = missing
            yield '</ul>\n'
        if environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'aggregates'):
            pass
            yield '  <h3>Headline figures</h3>\n  <div class="table-scroll"><table class="compare">\n    <caption class="visually-hidden">Headline figures before and after</caption>\n    <thead><tr><th scope="col">Figure</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>\n    <tbody>'
            for l_2_a in environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'aggregates'):
                _loop_vars = {}
                pass
                yield '<tr><th scope="row">'
                yield escape(environment.getattr(l_2_a, 'label'))
                yield '</th><td>'
                yield escape(environment.getattr(l_2_a, 'old'))
                yield '</td><td>'
                yield escape(environment.getattr(l_2_a, 'new'))
                yield '</td></tr>'
            l_2_a = missing
            yield '</tbody>\n  </table></div>\n'
        if (not environment.getattr(environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'screening'), 'empty')):
            pass
            yield '  <h3>Searches and screening</h3>\n  <p>'
            yield escape(context.call(environment.getattr(environment.getattr((undefined(name='c') if l_1_c is missing else l_1_c), 'screening'), 'summary'), _loop_vars=_loop_vars))
            yield '.'
            if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'screening'):
                pass
                yield ' <a href="'
                yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'prefix') + 'screening.html'), _loop_vars=_loop_vars))
                yield '">Every search and record</a>.'
            yield '</p>\n'
        yield '</section>\n'
    l_1_entry = l_1_e = l_1_c = missing

blocks = {'title': block_title, 'main': block_main}
debug_info = '1=12&2=17&3=29&5=52&6=54&7=58&8=61&9=63&10=74&11=89&12=96&13=101&14=103&15=106&16=109&17=111&19=123&20=126&21=128&23=140&24=143&25=145&26=153&28=167&33=170&36=182&38=185'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'consistency.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'consistency.html')
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
    yield 'Published and current figures · '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_baseline = resolve('baseline')
    l_0_report = resolve('report')
    l_0_aggregates = resolve('aggregates')
    l_0_comparisons = resolve('comparisons')
    l_0_disagreements = resolve('disagreements')
    try:
        t_1 = environment.filters['capitalize']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'capitalize' found.")
    try:
        t_2 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_3 = environment.filters['thousands']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'thousands' found.")
    pass
    yield '<h1>Published and current figures</h1>\n'
    if (undefined(name='baseline') if l_0_baseline is missing else l_0_baseline):
        pass
        yield '<p>The figures of the review this one continues are recorded exactly as printed ('
        yield escape(environment.getattr((undefined(name='baseline') if l_0_baseline is missing else l_0_baseline), 'label'))
        yield '), with the sentences of its text that state them. This page computes where they do not add up, where the text disagrees with its own lists, and where this edition\'s data differ from them; it also lists the citation errors met while entering its studies. Nothing here is typed by hand.</p>\n<h2 id="summary">In short</h2>\n<ul class="level-counts">\n'
        for l_1_level in environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'levels'):
            _loop_vars = {}
            pass
            yield '  <li><span class="level level-'
            yield escape(environment.getattr(l_1_level, 'key'))
            yield '">'
            yield escape(environment.getattr(l_1_level, 'count'))
            yield ' '
            yield escape(environment.getattr(l_1_level, 'words'))
            yield '</span>: <span class="muted">'
            yield escape(environment.getattr(l_1_level, 'help'))
            yield '</span></li>\n'
        l_1_level = missing
        yield '  <li><span class="level level-citation">'
        yield escape(t_2(environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'citations')))
        yield ' '
        yield escape(('error' if (t_2(environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'citations')) == 1) else 'errors'))
        yield ' of citation or reference list</span></li>\n  <li>'
        yield escape(t_2(environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'holding')))
        yield ' '
        yield escape(('check holds' if (t_2(environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'holding')) == 1) else 'checks hold'))
        yield '</li>\n</ul>\n<h2 id="findings">What does not agree, most serious first</h2>\n'
        if environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'findings'):
            pass
            yield '<ol class="findings">\n'
            l_1_loop = missing
            for l_1_outcome, l_1_loop in LoopContext(environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'findings'), undefined):
                _loop_vars = {}
                pass
                yield '  <li class="finding level-'
                yield escape(environment.getattr(l_1_outcome, 'level'))
                yield '">\n    <h3 id="finding-'
                yield escape(environment.getattr(l_1_loop, 'index'))
                yield '"><span class="level level-'
                yield escape(environment.getattr(l_1_outcome, 'level'))
                yield '">'
                yield escape(environment.getattr(l_1_outcome, 'level_words'))
                yield '</span> '
                yield escape(environment.getattr(l_1_outcome, 'label'))
                yield '</h3>\n'
                if environment.getattr(l_1_outcome, 'statements'):
                    pass
                    yield '    <div class="statements">\n'
                    for l_2_statement in environment.getattr(l_1_outcome, 'statements'):
                        _loop_vars = {}
                        pass
                        yield '      <figure class="statement">\n        <blockquote>“'
                        yield escape(environment.getattr(l_2_statement, 'quote'))
                        yield '”</blockquote>\n        <figcaption>'
                        if environment.getattr(l_2_statement, 'about'):
                            pass
                            yield escape(environment.getattr(l_2_statement, 'about'))
                            yield ' · '
                        yield escape(environment.getattr(l_2_statement, 'where'))
                        yield '</figcaption>\n      </figure>\n'
                    l_2_statement = missing
                    yield '    </div>\n'
                yield '    <dl class="computed">\n      <dt>Computed</dt><dd>'
                yield escape(environment.getattr(l_1_outcome, 'computed'))
                yield '</dd>\n      <dt>Stated</dt><dd>'
                yield escape(environment.getattr(l_1_outcome, 'stated'))
                yield '</dd>\n      <dt>Working</dt><dd>'
                l_2_loop = missing
                for l_2_line, l_2_loop in LoopContext(environment.getattr(l_1_outcome, 'working'), undefined):
                    _loop_vars = {}
                    pass
                    yield escape(l_2_line)
                    if (not environment.getattr(l_2_loop, 'last')):
                        pass
                        yield '<br>'
                l_2_loop = l_2_line = missing
                yield '</dd>\n'
                if environment.getattr(l_1_outcome, 'note'):
                    pass
                    yield '<dt>Note</dt><dd>'
                    yield escape(environment.getattr(l_1_outcome, 'note'))
                    yield '</dd>'
                yield '    </dl>\n  </li>\n'
            l_1_loop = l_1_outcome = missing
            yield '</ol>\n'
        else:
            pass
            yield '<p>Every check holds.</p>\n'
        if environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'citations'):
            pass
            yield '<h2 id="citations">Citations and the reference list</h2>\n<p>Citations of the published review that do not match its own reference list, met while entering its studies. Each is confirmed from the two texts as printed.</p>\n<div class="table-scroll">\n<table class="citations">\n  <caption class="visually-hidden">Errors of citation and of the reference list in the published review</caption>\n  <thead><tr><th scope="col">Cited</th><th scope="col">What is wrong</th><th scope="col">In the text</th><th scope="col">In the reference list</th></tr></thead>\n  <tbody>\n'
            for l_1_item in environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'citations'):
                _loop_vars = {}
                pass
                yield '  <tr>\n    <th scope="row">'
                yield escape(environment.getattr(l_1_item, 'cited'))
                yield '</th>\n    <td>'
                yield escape(t_1(environment.getattr(l_1_item, 'summary')))
                if environment.getattr(l_1_item, 'finding'):
                    pass
                    yield ': '
                    yield escape(environment.getattr(l_1_item, 'finding'))
                yield '.'
                if environment.getattr(l_1_item, 'note'):
                    pass
                    yield ' '
                    yield escape(environment.getattr(l_1_item, 'note'))
                yield '</td>\n    <td>“'
                yield escape(environment.getattr(l_1_item, 'quote'))
                yield '” <span class="muted">('
                yield escape(environment.getattr(l_1_item, 'where'))
                yield ')</span></td>\n    <td>'
                if environment.getattr(l_1_item, 'listed'):
                    pass
                    yield escape(environment.getattr(l_1_item, 'listed'))
                else:
                    pass
                    yield '<span class="muted">no entry</span>'
                yield '</td>\n  </tr>\n'
            l_1_item = missing
            yield '  </tbody>\n</table>\n</div>\n'
        yield '<h2 id="published">Checks that hold</h2>\n<div class="table-scroll">\n<table class="checks">\n  <caption class="visually-hidden">Checks of the published figures and text that hold</caption>\n  <thead><tr><th scope="col">Check</th><th scope="col">Computed</th><th scope="col">Stated</th><th scope="col">Result</th></tr></thead>\n  <tbody>\n'
        l_1_loop = missing
        for l_1_outcome, l_1_loop in LoopContext(environment.getattr((undefined(name='report') if l_0_report is missing else l_0_report), 'holding'), undefined):
            _loop_vars = {}
            pass
            yield '  <tr>\n    <th scope="row">'
            yield escape(environment.getattr(l_1_outcome, 'label'))
            yield '<br><span class="muted">'
            l_2_loop = missing
            for l_2_line, l_2_loop in LoopContext(environment.getattr(l_1_outcome, 'working'), undefined):
                _loop_vars = {}
                pass
                yield escape(l_2_line)
                if (not environment.getattr(l_2_loop, 'last')):
                    pass
                    yield '<br>'
            l_2_loop = l_2_line = missing
            yield '</span>'
            for l_2_statement in environment.getattr(l_1_outcome, 'statements'):
                _loop_vars = {}
                pass
                yield '<br><span class="statement-inline">“'
                yield escape(environment.getattr(l_2_statement, 'quote'))
                yield '” <span class="muted">('
                if environment.getattr(l_2_statement, 'about'):
                    pass
                    yield escape(environment.getattr(l_2_statement, 'about'))
                    yield ' · '
                yield escape(environment.getattr(l_2_statement, 'where'))
                yield ')</span></span>'
            l_2_statement = missing
            yield '</th>\n    <td>'
            yield escape(environment.getattr(l_1_outcome, 'computed'))
            yield '</td>\n    <td>'
            yield escape(environment.getattr(l_1_outcome, 'stated'))
            yield '</td>\n    <td>holds</td>\n  </tr>\n'
        l_1_loop = l_1_outcome = missing
        yield '  </tbody>\n</table>\n</div>\n<h2 id="current">Where this edition differs</h2>\n<p>This edition holds '
        yield escape(environment.getattr((undefined(name='aggregates') if l_0_aggregates is missing else l_0_aggregates), 'total'))
        yield ' studies; many are not yet coded for every field, so a lower count here usually means "not yet coded", not "fewer studies".</p>\n<div class="table-scroll">\n<table class="compare">\n  <caption class="visually-hidden">Published figures beside this edition\'s figures</caption>\n  <thead><tr><th scope="col">Figure</th><th scope="col">Published</th><th scope="col">This edition</th><th scope="col">Difference</th></tr></thead>\n  <tbody>\n'
        for l_1_row in (undefined(name='comparisons') if l_0_comparisons is missing else l_0_comparisons):
            _loop_vars = {}
            pass
            yield '  <tr><th scope="row">'
            yield escape(environment.getattr(environment.getattr(l_1_row, 'figure'), 'label'))
            yield '<br><span class="muted">'
            yield escape(environment.getattr(environment.getattr(l_1_row, 'figure'), 'where'))
            yield '</span></th>\n    <td>'
            yield escape(t_3(environment.getattr(environment.getattr(l_1_row, 'figure'), 'value')))
            yield '</td>\n'
            if (environment.getattr(l_1_row, 'coded') == 0):
                pass
                yield '<td><span class="muted">not yet coded</span></td><td>–</td>'
            else:
                pass
                yield '    <td>'
                yield escape(environment.getattr(l_1_row, 'live'))
                if environment.getattr(l_1_row, 'coded'):
                    pass
                    yield ' <span class="muted">of '
                    yield escape(environment.getattr(l_1_row, 'coded'))
                    yield ' coded</span>'
                yield '</td>\n    <td>'
                if environment.getattr(l_1_row, 'differs'):
                    pass
                    yield escape(('%+d' % (environment.getattr(l_1_row, 'live') - environment.getattr(environment.getattr(l_1_row, 'figure'), 'value'))))
                else:
                    pass
                    yield 'same'
                yield '</td>'
            yield '</tr>\n'
        l_1_row = missing
        yield '  </tbody>\n</table>\n</div>\n'
    if (undefined(name='disagreements') if l_0_disagreements is missing else l_0_disagreements):
        pass
        yield '<h2 id="disagreements">Where the sources disagree</h2>\n<p>Studies coded one way from one source while another source reads them otherwise. Each study is coded as the source shown first says; the other reading is kept beside it.</p>\n<div class="table-scroll">\n<table class="disagreements">\n  <caption class="visually-hidden">Studies whose sources disagree on a coded field</caption>\n  <thead><tr><th scope="col">Study</th><th scope="col">Field</th><th scope="col">Coded</th><th scope="col">Other reading</th></tr></thead>\n  <tbody>\n'
        for l_1_item in (undefined(name='disagreements') if l_0_disagreements is missing else l_0_disagreements):
            l_1_url = resolve('url')
            _loop_vars = {}
            pass
            yield '  <tr><th scope="row"><a href="'
            yield escape(context.call((undefined(name='url') if l_1_url is missing else l_1_url), (('studies/' + environment.getattr(environment.getattr(l_1_item, 'study'), 'id')) + '.html'), _loop_vars=_loop_vars))
            yield '">'
            yield escape(environment.getattr(environment.getattr(l_1_item, 'study'), 'short_citation'))
            yield '</a></th>\n    <td>'
            yield escape(environment.getattr(environment.getattr(l_1_item, 'field'), 'label'))
            yield '</td>\n    <td>'
            yield escape(environment.getattr(l_1_item, 'coded'))
            if environment.getattr(l_1_item, 'coded_source'):
                pass
                yield ' <span class="muted">('
                yield escape(environment.getattr(l_1_item, 'coded_source'))
                yield ')</span>'
            yield '</td>\n    <td>'
            yield escape(environment.getattr(l_1_item, 'other'))
            if environment.getattr(l_1_item, 'other_source'):
                pass
                yield ' <span class="muted">('
                yield escape(environment.getattr(l_1_item, 'other_source'))
                yield ')</span>'
            yield '. '
            yield escape(environment.getattr(l_1_item, 'note'))
            yield '</td></tr>\n'
        l_1_item = l_1_url = missing
        yield '  </tbody>\n</table>\n</div>\n'

blocks = {'title': block_title, 'main': block_main}
debug_info = '1=12&2=17&3=29&5=61&6=64&9=66&10=70&12=80&13=84&16=88&18=92&19=96&20=98&21=106&23=109&25=113&26=115&32=124&33=126&34=129&35=138&43=149&51=152&53=156&54=158&55=169&56=173&69=184&71=188&72=214&73=216&81=220&87=222&88=226&89=230&90=232&91=238&92=245&98=255&106=258&107=263&108=267&109=269&110=276'